import { describe, expect, it } from 'vitest';
import { resolveThread, resolveThreads, type BatchThreadLookup, type ThreadCandidate, type ThreadLookup, type ThreadableMail } from '../../../channels/email/threading.js';
import { findSubjectToken, normaliseSubject, replySubject, subjectToken } from '../../../channels/email/subject.js';

interface StoredMail {
  conversationId: string;
  sender: string;
  messageIds: string[];
  subject: string;
  at: Date;
  incidentNumber?: number;
}

/** An in-memory store with the lookup semantics the database implements. */
class Store implements ThreadLookup {
  constructor(private readonly rows: StoredMail[]) {}
  async findByMessageIds(ids: string[]): Promise<ThreadCandidate[]> {
    // Most specific id first, as the database query orders by the position in `ids`.
    return ids.flatMap((id) =>
      this.rows.filter((r) => r.messageIds.includes(id)).map((r) => ({ conversationId: r.conversationId, sender: r.sender })),
    );
  }
  async findBySubjectToken(n: number): Promise<ThreadCandidate | undefined> {
    const row = this.rows.find((r) => r.incidentNumber === n);
    return row && { conversationId: row.conversationId, sender: row.sender };
  }
  async findRecent(sender: string, subject: string, since: Date): Promise<ThreadCandidate[]> {
    return this.rows
      .filter((r) => r.sender === sender && normaliseSubject(r.subject) === subject && r.at >= since)
      .map((r) => ({ conversationId: r.conversationId, sender: r.sender }));
  }
}

const now = new Date('2025-03-03T12:00:00Z');
const store = new Store([
  { conversationId: 'c1', sender: 'anna@x.se', messageIds: ['<root@x.se>', '<out-1@frontline.test>'], subject: 'Printer broken', at: now, incidentNumber: 123 },
  { conversationId: 'c2', sender: 'bob@x.se', messageIds: ['<b@x.se>'], subject: 'VPN down', at: new Date('2025-03-02T12:00:00Z') },
  { conversationId: 'c3', sender: 'carl@x.se', messageIds: ['<c@x.se>'], subject: 'Old thing', at: new Date('2025-01-01T12:00:00Z') },
]);

function mail(partial: Partial<ThreadableMail>): ThreadableMail {
  return { from: 'anna@x.se', subject: 'Hello there', references: [], date: now, ...partial };
}

describe('resolveThread', () => {
  it('matches by In-Reply-To / References first', async () => {
    const result = await resolveThread(mail({ inReplyTo: '<out-1@frontline.test>', subject: 'whatever' }), store);
    expect(result).toEqual({ kind: 'headers', conversationId: 'c1', matchedId: '<out-1@frontline.test>' });
  });

  it('falls back to the subject token when headers are stripped', async () => {
    const result = await resolveThread(mail({ from: 'anna@x.se', subject: 'Sv: [INC-000123] Printer' }), store);
    expect(result).toEqual({ kind: 'subject-token', conversationId: 'c1', incidentNumber: 123 });
  });

  it.each(['SV: Printer [INC-000123]', 'AW: Drucker kaputt [INC-000123]', 'RE: RE: whatever [INC-000123]', 'Enc: RV: impresora [INC-000123] rota', 'Vs: [INC-000123]'])(
    'finds the token anywhere in %j, behind localized prefixes',
    async (subject) => {
      const result = await resolveThread(mail({ from: 'anna@x.se', subject }), store);
      expect(result).toEqual({ kind: 'subject-token', conversationId: 'c1', incidentNumber: 123 });
    },
  );

  it('lets the adapter refuse tokens from strangers', async () => {
    const result = await resolveThread(mail({ from: 'eve@evil.com', subject: '[INC-000123] hi' }), store, {
      tokenAllowed: (c, sender) => c.sender === sender,
    });
    expect(result.kind).toBe('new');
  });

  it('joins same sender + normalised subject inside the window', async () => {
    const result = await resolveThread(mail({ from: 'bob@x.se', subject: 'SV: AW: RES: vpn  DOWN' }), store);
    expect(result).toEqual({ kind: 'subject', conversationId: 'c2' });
  });

  it('never merges replies from different people to one broadcast', async () => {
    const result = await resolveThread(mail({ from: 'dave@x.se', subject: 'Re: VPN down', messageId: '<d@x.se>' }), store);
    expect(result).toEqual({ kind: 'new', threadRoot: '<d@x.se>' });
  });

  it('ignores subject matches outside the window and generic subjects', async () => {
    expect((await resolveThread(mail({ from: 'carl@x.se', subject: 'Re: Old thing' }), store)).kind).toBe('new');
    const generic = new Store([{ conversationId: 'g', sender: 'anna@x.se', messageIds: [], subject: 'Hi', at: now }]);
    expect((await resolveThread(mail({ subject: 'Re: hi' }), generic)).kind).toBe('new');
  });

  it('uses the oldest reference as the root of a new thread', async () => {
    const result = await resolveThread(mail({ references: ['<first@y>', '<second@y>'], inReplyTo: '<second@y>', messageId: '<third@y>' }), store);
    expect(result).toEqual({ kind: 'new', threadRoot: '<first@y>' });
  });
});

describe('resolveThreads', () => {
  /** The store behind batch lookups, counting calls per kind. */
  function batched(inner: Store): BatchThreadLookup & { calls: Record<string, number[]> } {
    const calls: Record<string, number[]> = { ids: [], token: [], recent: [] };
    return {
      calls,
      async findByMessageIds(lists) {
        calls.ids!.push(lists.length);
        return Promise.all(lists.map((ids) => inner.findByMessageIds(ids)));
      },
      async findBySubjectTokens(numbers) {
        calls.token!.push(numbers.length);
        return Promise.all(numbers.map((n) => inner.findBySubjectToken(n)));
      },
      async findRecent(queries) {
        calls.recent!.push(queries.length);
        return Promise.all(queries.map((q) => inner.findRecent(q.sender, q.normalisedSubject, q.since)));
      },
    };
  }

  it('decides as resolveThread does per mail, with one batch call per kind whenever every mail waits', async () => {
    const mails = [
      mail({ inReplyTo: '<out-1@frontline.test>', subject: 'Sv: [INC-000123] x' }), // headers
      mail({ from: 'anna@x.se', subject: 'Sv: [INC-000123] Printer' }), // token
      mail({ from: 'bob@x.se', subject: 'SV: vpn down' }), // subject
      mail({ from: 'dave@x.se', subject: 'Re: VPN down', messageId: '<d@x.se>', references: ['<nowhere@x>'] }), // all three, then new
      mail({ from: 'erin@x.se', subject: 'hi', messageId: '<e@x.se>' }), // nothing to look up
    ];
    const lookup = batched(store);
    const batch = await resolveThreads(mails, lookup);
    expect(batch).toEqual(await Promise.all(mails.map((m) => resolveThread(m, store))));
    expect(batch.map((m) => m.kind)).toEqual(['headers', 'subject-token', 'subject', 'new', 'new']);
    // Whatever all waiting mails ask goes out together, one call per kind: first the headers of mails 0 and 3,
    // the token of 1 and the subject of 2; then mail 3's subject (it has no token). Mail 4 asks nothing.
    expect(lookup.calls).toEqual({ ids: [2], token: [1], recent: [1, 1] });
    expect(await resolveThreads([], lookup)).toEqual([]);
  });

  it('fails every mail of the batch when a lookup fails', async () => {
    const lookup = batched(store);
    lookup.findRecent = async () => {
      throw new Error('database unavailable');
    };
    await expect(resolveThreads([mail({ from: 'bob@x.se', subject: 'vpn down' }), mail({ inReplyTo: '<b@x.se>' })], lookup)).rejects.toThrow('database unavailable');
  });
});

describe('subjects', () => {
  it.each([
    ['Re: Printer', 'printer'],
    ['SV: Sv: VS: Printer', 'printer'],
    ['RES: ENC: Printer', 'printer'],
    ['AW: WG: Printer', 'printer'],
    ['TR: RE: Printer', 'printer'],
    ['Fwd: Re[2]: Printer', 'printer'],
    ['RV: [EXTERNAL] Printer', 'printer'],
    ['Re: [INC-000123] Printer', 'printer'],
    ['Resolution plan', 'resolution plan'],
    ['Svar krävs', 'svar krävs'],
  ])('normalises %j', (subject, expected) => expect(normaliseSubject(subject)).toBe(expected));

  it('formats and finds the token', () => {
    expect(subjectToken(123)).toBe('[INC-000123]');
    expect(findSubjectToken('Sv: [INC-000123] x')).toBe(123);
    expect(findSubjectToken('no token')).toBeUndefined();
    expect(findSubjectToken('SV: Printer broken [INC-000123]')).toBe(123);
    expect(findSubjectToken('AW: Drucker [inc-000042] defekt')).toBe(42);
  });

  it.each([
    ['Printer', 'Re: Printer [INC-000007]'],
    ['SV: Printer', 'Re: Printer [INC-000007]'],
    ['Re: Printer [INC-000007]', 'Re: Printer [INC-000007]'],
    ['Re: Re: RE: Printer', 'Re: Printer [INC-000007]'],
    ['Re: [INC-000007] Printer', 'Re: Printer [INC-000007]'],
    ['AW: WG: Drucker [INC-000007]', 'Re: Drucker [INC-000007]'],
    ['Enc: RES: Impressora', 'Re: Impressora [INC-000007]'],
    ['RV: Re: Impresora [INC-000007] [INC-000007]', 'Re: Impresora [INC-000007]'],
    ['', 'Re: (no subject) [INC-000007]'],
  ])('reply subject for %j appends the token once', (original, expected) => {
    expect(replySubject(original, 7)).toBe(expected);
    // Replying to our own reply again changes nothing: no `Re: Re:`, no second token.
    expect(replySubject(replySubject(original, 7), 7)).toBe(expected);
  });

  it('keeps a token already in the subject when no number is given, and leaves new mail without Re:', () => {
    expect(replySubject('SV: VPN [INC-000031]')).toBe('Re: VPN [INC-000031]');
    expect(replySubject('Re: VPN')).toBe('Re: VPN');
    expect(replySubject('VPN down', 31, false)).toBe('VPN down [INC-000031]');
  });
});
