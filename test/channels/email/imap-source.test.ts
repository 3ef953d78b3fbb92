import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSource, type ImapCheckpointState, type ImapSourceOptions } from '../../../channels/email/imap-source.js';
import { DovecotServer, dovecotMissingReason, findDovecot } from './dovecot.js';
import { FreezableProxy } from './imap-proxy.js';

const hasDovecot = findDovecot() !== undefined;
if (!hasDovecot) console.warn(dovecotMissingReason);

/** Mails delivered in the restart test; the issue asks for 500. */
const STREAM_N = Number(process.env.FRONTLINE_TEST_IMAP_STREAM_N ?? 500);

const log = (level: string) => (process.env.DEBUG_IMAP ? (o: object, m?: string) => console.log(level, m, JSON.stringify(o).slice(0, 200)) : () => {});
const quiet = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };

function mail(id: string, subject = `Mail ${id}`): string {
  return [
    'From: Reporter <reporter@example.com>',
    'To: support@frontline.test',
    `Subject: ${subject}`,
    `Message-ID: <${id}@example.com>`,
    'Date: Mon, 3 Mar 2025 09:15:00 +0100',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of ${id}`,
    '',
  ].join('\r\n');
}

class MemoryCheckpoint {
  state: ImapCheckpointState | null = null;
  async load(): Promise<ImapCheckpointState | null> {
    return this.state;
  }
  async save(state: ImapCheckpointState): Promise<void> {
    this.state = { ...state };
  }
}

/** Collects delivered Message-IDs and lets a test wait for a count. */
class Inbox {
  readonly ids: string[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];
  onMail = async (raw: Buffer): Promise<void> => {
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(raw.toString('latin1'))?.[1] ?? '?';
    this.ids.push(id);
    this.waiters = this.waiters.filter((w) => (this.ids.length >= w.n ? (w.resolve(), false) : true));
  };
  waitFor(n: number, timeoutMs = 20_000): Promise<void> {
    if (this.ids.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.ids.length}/${n} mails after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

const settle = (ms = 300): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function eventuallyTrue(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await settle(20);
  }
}

describe.skipIf(!hasDovecot)('ImapSource against a real Dovecot', () => {
  let server: DovecotServer;
  const sources: ImapSource[] = [];

  beforeAll(async () => {
    server = new DovecotServer();
    await server.start();
  });
  afterAll(async () => {
    await Promise.all(sources.map((s) => s.stop()));
    await server?.destroy();
  });

  async function emptyInbox(): Promise<void> {
    await server.withClient(async (client) => {
      for (const box of ['INBOX', 'Processed']) {
        const lock = await client.getMailboxLock(box);
        try {
          await client.messageDelete('1:*');
        } finally {
          lock.release();
        }
      }
    });
  }

  function source(overrides: Partial<ImapSourceOptions> & Pick<ImapSourceOptions, 'onMail' | 'checkpoint'>): ImapSource {
    const s = new ImapSource({
      ...server.imap,
      processedAction: { kind: 'seen' },
      logger: quiet,
      initialSync: 'all',
      reconnect: { initialMs: 50, maxMs: 500 },
      autoIdleDelayMs: 200,
      ...overrides,
    });
    sources.push(s);
    return s;
  }

  it('delivers new mail through IDLE exactly once and flags it \\Seen', async () => {
    await emptyInbox();
    const inbox = new Inbox();
    const checkpoint = new MemoryCheckpoint();
    // A long poll interval: only IDLE can bring the mail in within the wait below.
    const s = source({ onMail: inbox.onMail, checkpoint, pollIntervalMs: 600_000 });
    s.start();
    await s.whenConnected();
    await settle(500); // let imapflow enter IDLE
    await server.deliver([mail('idle-1')]);
    await inbox.waitFor(1, 10_000);
    await settle(800);
    expect(inbox.ids).toEqual(['<idle-1@example.com>']);
    const flags = await server.withClient(async (client) => {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const [message] = await client.fetchAll('1:*', { flags: true });
        return message?.flags;
      } finally {
        lock.release();
      }
    });
    expect(flags?.has('\\Seen')).toBe(true);
    expect(checkpoint.state?.lastUid).toBeGreaterThan(0);
    await s.stop();
  });

  it(`loses and duplicates nothing across a Dovecot restart in the middle of ${STREAM_N} mails`, async () => {
    await emptyInbox();
    const inbox = new Inbox();
    const checkpoint = new MemoryCheckpoint();
    // A handler that takes a few ms (like a database write) keeps the source busy while the server restarts.
    const slowHandler = async (raw: Buffer): Promise<void> => {
      await settle(4);
      await inbox.onMail(raw);
    };
    const s = source({ onMail: slowHandler, checkpoint, pollIntervalMs: 2_000, batchSize: 25 });
    s.start();
    await s.whenConnected();
    const ids = Array.from({ length: STREAM_N }, (_, i) => `stream-${i}`);
    const half = Math.floor(STREAM_N / 2);
    await server.deliver(ids.slice(0, half).map((id) => mail(id)));
    await inbox.waitFor(Math.min(20, half));
    // The restart must hit the middle of the stream for this test to mean anything.
    expect(inbox.ids.length).toBeLessThan(half);
    await server.restart();
    await server.deliver(ids.slice(half).map((id) => mail(id)));
    await inbox.waitFor(STREAM_N, 60_000);
    await settle(1_000);
    expect(new Set(inbox.ids).size).toBe(STREAM_N);
    expect(inbox.ids.length).toBe(STREAM_N);
    expect(s.health().reconnects).toBeGreaterThanOrEqual(1);
    await s.stop();
  }, 120_000);

  it('handles independent senders in parallel while keeping each sender in order, and flags every mail', async () => {
    await emptyInbox();
    const senders = 6;
    const perSender = 4;
    const seen: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const checkpoint = new MemoryCheckpoint();
    const s = source({
      checkpoint,
      concurrency: 4,
      onMail: async (raw) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await settle(15);
        seen.push(/^Message-ID:\s*<([^>]+)@/im.exec(raw.toString('latin1'))![1]!);
        inFlight--;
      },
    });
    const mails: string[] = [];
    for (let n = 0; n < perSender; n++)
      for (let k = 0; k < senders; k++) mails.push(mail(`p${k}-${n}`).replace('reporter@example.com', `reporter${k}@example.com`));
    await server.deliver(mails);
    s.start();
    await eventuallyTrue(() => seen.length === senders * perSender, 20_000);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    for (let k = 0; k < senders; k++) expect(seen.filter((id) => id.startsWith(`p${k}-`))).toEqual(Array.from({ length: perSender }, (_, n) => `p${k}-${n}`));
    await settle(500);
    const unseen = await server.withClient(async (client) => {
      const status = await client.status('INBOX', { unseen: true });
      return status ? status.unseen : undefined;
    });
    expect(unseen).toBe(0);
    expect(checkpoint.state?.lastUid).toBeGreaterThanOrEqual(senders * perSender);
    await s.stop();
  });

  it('hands rounds of independent mails to onMails and retries a failed round with everything after it', async () => {
    await emptyInbox();
    const from = (who: string, id: string) => mail(id).replace('reporter@example.com', `${who}@example.com`);
    const calls: string[][] = [];
    let failures = 1;
    const checkpoint = new MemoryCheckpoint();
    const s = source({
      checkpoint,
      onMails: async (mails) => {
        const ids = mails.map((m) => m.meta.messageId ?? '?');
        calls.push(ids);
        expect(mails.map((m) => m.meta.uid)).toEqual([...mails.map((m) => m.meta.uid)].sort((a, b) => a - b));
        if (ids.includes('<r-a2@example.com>') && failures-- > 0) throw new Error('database unavailable');
      },
    });
    // Anna's two mails depend on each other; Bob and Carl are independent of both.
    await server.deliver([from('anna', 'r-a1'), from('bob', 'r-b1'), from('anna', 'r-a2'), from('carl', 'r-c1')]);
    s.start();
    await eventuallyTrue(() => calls.length >= 3, 20_000);
    await settle(300);
    expect(calls).toEqual([
      ['<r-a1@example.com>', '<r-b1@example.com>', '<r-c1@example.com>'],
      ['<r-a2@example.com>'], // failed: the checkpoint stays before it, so Carl's later UID comes again
      ['<r-a2@example.com>', '<r-c1@example.com>'],
    ]);
    expect(s.health().delivered).toBe(5);
    await s.stop();
  });

  it('stops handling further batches when the checkpoint cannot be saved, and the retry loses nothing', async () => {
    await emptyInbox();
    const inbox = new Inbox();
    const checkpoint = new MemoryCheckpoint();
    const save = checkpoint.save.bind(checkpoint);
    let saves = 0;
    // The first batch's checkpoint is saved; the second batch's save fails once (the database went away).
    checkpoint.save = async (state) => {
      if (++saves === 3) throw new Error('database unavailable');
      await save(state);
    };
    const s = source({ onMail: inbox.onMail, checkpoint, batchSize: 5, pollIntervalMs: 2_000 });
    await server.deliver(Array.from({ length: 20 }, (_, i) => mail(`ck-${String(i).padStart(2, '0')}`)));
    s.start();
    await inbox.waitFor(20);
    await settle(300);
    const ids = new Set(inbox.ids);
    expect(ids.size).toBe(20); // nothing lost
    // Handled while the failing save ran: at most the batch after it; those come again and are duplicates.
    expect(inbox.ids.length - ids.size).toBeLessThanOrEqual(10);
    expect(checkpoint.state?.lastUid).toBeGreaterThanOrEqual(20);
    await s.stop();
  });

  it('on a first start with initialSync unseen, takes only the mail not read yet', async () => {
    await emptyInbox();
    await server.deliver(['a', 'b', 'c'].map((id) => mail(`un-${id}`)));
    await server.withClient(async (client) => {
      const lock = await client.getMailboxLock('INBOX');
      try {
        await client.messageFlagsAdd({ header: { 'message-id': '<un-b@example.com>' } }, ['\\Seen']);
      } finally {
        lock.release();
      }
    });
    const inbox = new Inbox();
    const s = source({ onMail: inbox.onMail, checkpoint: new MemoryCheckpoint(), initialSync: 'unseen' });
    s.start();
    await inbox.waitFor(2);
    await settle(300);
    expect(inbox.ids).toEqual(['<un-a@example.com>', '<un-c@example.com>']);
    await s.stop();
  });

  it('resumes from the checkpoint in a new source instance', async () => {
    await emptyInbox();
    const checkpoint = new MemoryCheckpoint();
    const first = new Inbox();
    const a = source({ onMail: first.onMail, checkpoint, processedAction: { kind: 'none' } });
    await server.deliver(['a', 'b', 'c'].map((id) => mail(`cp-${id}`)));
    a.start();
    await first.waitFor(3);
    await a.stop();
    await server.deliver(['d', 'e'].map((id) => mail(`cp-${id}`)));
    const second = new Inbox();
    const b = source({ onMail: second.onMail, checkpoint, processedAction: { kind: 'none' } });
    b.start();
    await second.waitFor(2);
    await settle(500);
    expect(second.ids).toEqual(['<cp-d@example.com>', '<cp-e@example.com>']);
    await b.stop();
  });

  it('re-scans after a UIDVALIDITY change and skips mail it already handled (by Message-ID)', async () => {
    await emptyInbox();
    const checkpoint = new MemoryCheckpoint();
    const first = new Inbox();
    const a = source({ onMail: first.onMail, checkpoint, processedAction: { kind: 'none' } });
    await server.deliver(['1', '2', '3'].map((id) => mail(`uv-${id}`)));
    a.start();
    await first.waitFor(3);
    await a.stop();
    const before = checkpoint.state?.uidValidity;
    await server.resetUidValidity();
    await server.deliver([mail('uv-4')]);
    const second = new Inbox();
    const handled = new Set(first.ids);
    const b = source({
      onMail: second.onMail,
      checkpoint,
      processedAction: { kind: 'none' },
      knownMessageIds: async (ids) => new Set(ids.filter((id) => handled.has(id))),
    });
    b.start();
    await second.waitFor(1);
    await settle(500);
    expect(checkpoint.state?.uidValidity).not.toBe(before);
    expect(second.ids).toEqual(['<uv-4@example.com>']);
    await b.stop();
  });

  it('moves processed mail to the configured folder', async () => {
    await emptyInbox();
    const inbox = new Inbox();
    const s = source({ onMail: inbox.onMail, checkpoint: new MemoryCheckpoint(), processedAction: { kind: 'move', folder: 'Processed' } });
    await server.deliver([mail('mv-1'), mail('mv-2')]);
    s.start();
    await inbox.waitFor(2);
    await settle(500);
    const counts = await server.withClient(async (client) => {
      const inboxStatus = await client.status('INBOX', { messages: true });
      const processed = await client.status('Processed', { messages: true });
      return [inboxStatus && inboxStatus.messages, processed && processed.messages];
    });
    expect(counts).toEqual([0, 2]);
    await s.stop();
  });

  it('does not advance past a mail whose handler failed, and retries it', async () => {
    await emptyInbox();
    const inbox = new Inbox();
    let failures = 1;
    const checkpoint = new MemoryCheckpoint();
    const s = source({
      checkpoint,
      onMail: async (raw, meta) => {
        if (failures-- > 0) throw new Error('database unavailable');
        await inbox.onMail(raw);
        expect(meta.uidValidity).toBeGreaterThan(0);
      },
    });
    await server.deliver([mail('retry-1'), mail('retry-2')]);
    s.start();
    await inbox.waitFor(2);
    await settle(300);
    expect(inbox.ids).toEqual(['<retry-1@example.com>', '<retry-2@example.com>']);
    await s.stop();
  });

  it('replaces a silently stalled connection (no FIN, no data) and keeps receiving', async () => {
    await emptyInbox();
    const proxy = new FreezableProxy(server.port);
    await proxy.start();
    const inbox = new Inbox();
    const s = source({
      port: proxy.port,
      onMail: inbox.onMail,
      checkpoint: new MemoryCheckpoint(),
      heartbeatMs: 300,
      stallTimeoutMs: 300,
      pollIntervalMs: 600_000,
    });
    s.start();
    await s.whenConnected();
    expect(proxy.freezeCurrent()).toBeGreaterThan(0);
    await server.deliver([mail('stall-1')]);
    await inbox.waitFor(1, 10_000);
    expect(inbox.ids).toEqual(['<stall-1@example.com>']);
    expect(s.health().reconnects).toBeGreaterThanOrEqual(1);
    await s.stop();
    await proxy.stop();
  });
});
