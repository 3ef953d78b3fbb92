import { createHash } from 'node:crypto';
import type { AttachmentRef, ChannelHost, ConversationMatch, InboundMessage } from '../types.js';
import { independentQueues, roundsOf } from './batch.js';
import { EmailParseError, parseEmail } from './parse.js';
import { SenderRateLimiter } from './rate-limit.js';
import {
  advanceReference,
  emailMatchKey,
  encodeEmailThreadKey,
  parseEmailReference,
  type EmailReference,
} from './reference.js';
import type { EmailSettings } from './settings.js';
import { normaliseSubject } from './subject.js';
import { resolveThreads, type BatchThreadLookup, type ThreadCandidate, type ThreadMatch } from './threading.js';
import type { EmailAttachment, ParsedEmail } from './types.js';

/**
 * Inbound mail → intake pipeline. Noise (bounces, auto-replies, mailing lists, our own mail) never reaches the
 * dialog, so it can neither open an incident nor be answered. Everything else is threaded from its headers,
 * subject token or subject, and handed to the host with the Message-ID as the event id (a redelivered mail is
 * a duplicate there).
 *
 * Mail is handled in batches (a round fetched from IMAP): the lookups of all its mails are one query per kind,
 * and the mails go to `host.receiveMany` together. A single mail is a batch of one.
 */

export type DropReason = 'unparseable' | 'no-sender' | 'own-mail' | 'bounce' | 'auto-reply' | 'mailing-list' | 'rate-limited';
export type IntakeOutcome =
  | { kind: 'received'; conversationId: string; duplicate: boolean; thread: ThreadMatch['kind'] }
  | { kind: 'dropped'; reason: DropReason };

/** Files never accepted from mail (executables and scripts), by extension. */
const BLOCKED_FILE = /\.(exe|com|bat|cmd|scr|pif|msi|msp|vbs|vbe|js|jse|wsf|wsh|ps1|psm1|jar|hta|cpl|lnk|reg|dll)$/i;
/** A reply this short whose first line is a number or an option's label answers a numbered question. */
const MAX_CHOICE_REPLY = 200;

/** A mail that passed the noise filters, at its position in the call. */
interface Accepted {
  index: number;
  mail: ParsedEmail;
  messageId: string;
}

type Parsed = ParsedEmail | EmailParseError | { failed: unknown };

export class EmailIntake {
  readonly dropped = new Map<DropReason, number>();
  private readonly limiter: SenderRateLimiter;
  /** Parses started ahead by `prefetch`, by the very buffer handed in later. */
  private readonly parsing = new WeakMap<Buffer, Promise<Parsed>>();

  constructor(
    private readonly host: ChannelHost,
    private readonly settings: Pick<EmailSettings, 'supportMailbox' | 'maxAttachmentBytes' | 'senderRateLimit'> & { ownAddresses?: string[] },
    private readonly channel = 'email',
  ) {
    this.limiter = new SenderRateLimiter(settings.senderRateLimit, 60 * 60 * 1000);
  }

  /** Handles one raw mail. Rejects only on failures worth retrying (database down); bad mail is dropped. */
  async handle(raw: Buffer): Promise<IntakeOutcome> {
    return (await this.handleMany([raw]))[0]!;
  }

  /**
   * Handles raw mails in order, with the outcomes in the order given. The result is the same as handling them
   * one by one: mails that depend on each other (one sender twice, one answering another) go in later rounds.
   * Rejects as a whole on failures worth retrying; mails of earlier rounds may be received by then (they are
   * duplicates when the call is repeated).
   */
  async handleMany(raws: Buffer[]): Promise<IntakeOutcome[]> {
    const parsed = await Promise.all(
      raws.map(async (raw) => {
        const result = await (this.parsing.get(raw) ?? this.parse(raw));
        this.parsing.delete(raw);
        if ('failed' in result) throw result.failed;
        return result;
      }),
    );
    const outcomes: IntakeOutcome[] = [];
    const accepted: Accepted[] = [];
    // In order: the rate limiter counts per sender, and bounces are recorded as they come.
    for (const [index, mail] of parsed.entries()) {
      const screened = await this.screen(mail, raws[index]!);
      if ('kind' in screened) outcomes[index] = screened;
      else accepted.push({ index, ...screened });
    }
    const queues = independentQueues(
      accepted.map((a) => ({ uid: a.index, from: a.mail.from, messageId: a.messageId, referenced: [...(a.mail.inReplyTo ? [a.mail.inReplyTo] : []), ...a.mail.references], a })),
    );
    for (const round of roundsOf(queues, Number.MAX_SAFE_INTEGER)) {
      const results = await this.receiveRound(round.map((r) => r.a));
      round.forEach((r, i) => (outcomes[r.a.index] = results[i]!));
    }
    return outcomes;
  }

  /**
   * Starts parsing mails that `handleMany` will get soon (the next fetched batch), so the parsing overlaps the
   * database work of the mails before them.
   */
  prefetch(raws: Buffer[]): void {
    for (const raw of raws) if (!this.parsing.has(raw)) this.parsing.set(raw, this.parse(raw));
  }

  /** Never rejects (a prefetched parse may be awaited late or not at all): failures come back as values. */
  private parse(raw: Buffer): Promise<Parsed> {
    return parseEmail(raw).catch((error: unknown) => (error instanceof EmailParseError ? error : { failed: error }));
  }

  /** Parsed and not noise: the mail to receive, else why it is dropped. */
  private async screen(mail: ParsedEmail | EmailParseError, raw: Buffer): Promise<IntakeOutcome | Omit<Accepted, 'index'>> {
    if (mail instanceof EmailParseError) {
      this.host.logger.warn({ err: mail }, 'unparseable mail dropped');
      return this.drop('unparseable');
    }
    const meta = { messageId: mail.messageId, from: mail.from, subject: mail.subject };
    if (!mail.from) return this.drop('no-sender', meta);
    if (this.isOwn(mail)) return this.drop('own-mail', meta);
    if (mail.isBounce) {
      await this.recordBounce(mail);
      return this.drop('bounce', { ...meta, bounce: mail.bounce });
    }
    if (mail.isAutoReply) return this.drop('auto-reply', { ...meta, reason: mail.autoReplyReason });
    if (mail.isMailingList) return this.drop('mailing-list', meta);
    if (!this.limiter.allow(mail.from)) return this.drop('rate-limited', meta);
    const messageId = mail.messageId ?? `<${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@frontline.no-message-id>`;
    return { mail, messageId };
  }

  /** Independent mails: threaded with batched lookups, then received together. */
  private async receiveRound(round: Accepted[]): Promise<IntakeOutcome[]> {
    const matches = new Map<string, ConversationMatch>();
    const threads = await resolveThreads(round.map((a) => ({ ...a.mail, messageId: a.messageId })), this.lookup(matches), {
      // A guessed [INC-…] token must not inject into somebody else's incident.
      tokenAllowed: (candidate, sender) => candidate.sender === undefined || candidate.sender === sender,
    });
    // Two mails of a round may still reach one conversation (answers to two of its mails): the second continues
    // the reference chain of the first.
    const latest = new Map<string, EmailReference>();
    const prepared = round.map((a, i) => {
      const thread = threads[i]!;
      const match = thread.kind === 'new' ? undefined : matches.get(thread.conversationId);
      const previous = match && (latest.get(match.conversationId) ?? parseEmailReference(match.reference));
      const { mail, messageId } = a;
      const reference = previous
        ? advanceReference(previous, { messageId, references: mail.references, ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}) })
        : newReference(mail, messageId);
      if (match) latest.set(match.conversationId, reference);
      return { ...a, thread, match, reference, threadKey: match?.threadKey ?? encodeEmailThreadKey(reference) };
    });

    // The people wrote to us, so their addresses work again.
    const [, choices] = await Promise.all([this.host.deliveries.clearMany(this.channel, [...new Set(round.map((a) => a.mail.from))]), this.choicesFor(prepared)]);
    const inbounds: InboundMessage[] = [];
    for (const { mail, messageId, match, reference, threadKey } of prepared) {
      const inbound: InboundMessage = {
        channel: this.channel,
        eventId: messageId,
        threadKey,
        reference,
        matchKey: emailMatchKey(reference.to, reference.subjectKey),
        ...(match ? {} : { newThread: true }),
        user: { externalId: mail.from, ...(mail.fromName ? { displayName: mail.fromName } : {}), email: mail.from, emailVerified: false },
        ...(mail.date ? { occurredAt: mail.date } : {}),
      };
      const choice = match ? choices.get(match.conversationId)?.(mail.visibleText) : undefined;
      if (choice) inbound.choice = choice; // the transcript shows the option's label
      else inbound.text = match ? mail.visibleText : firstMailText(mail);
      const files = this.acceptedAttachments(mail);
      if (files.length > 0) {
        const stored = await this.storeAttachments(inbound, messageId, match?.conversationId, files);
        if (stored.length > 0) inbound.attachments = stored;
      }
      inbounds.push(inbound);
    }
    const results = await this.host.receiveMany(inbounds);
    return prepared.map(({ thread }, i) => ({ kind: 'received', conversationId: results[i]!.conversationId, duplicate: results[i]!.duplicate, thread: thread.kind }));
  }

  /** Rate-limit bookkeeping for health output. */
  get limitedSenders(): number {
    return this.limiter.limitedCount;
  }

  private drop(reason: DropReason, meta: object = {}): IntakeOutcome {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
    const level = reason === 'rate-limited' || reason === 'unparseable' ? 'warn' : 'info';
    this.host.logger[level]({ ...meta, reason }, 'inbound mail not answered');
    return { kind: 'dropped', reason };
  }

  private isOwn(mail: ParsedEmail): boolean {
    const own = new Set([this.settings.supportMailbox, ...(this.settings.ownAddresses ?? [])].map((a) => a.toLowerCase()));
    if (own.has(mail.from)) return true;
    // Our Message-IDs look like <frontline.<hex>@domain>: a copy of our own mail coming back.
    return Boolean(mail.messageId && this.isOwnMessageId(mail.messageId));
  }

  /** Thread lookups for a round, one query per kind; every conversation found is kept in `matches`. */
  private lookup(matches: Map<string, ConversationMatch>): BatchThreadLookup {
    const { conversations } = this.host;
    const keep = (m: ConversationMatch): ThreadCandidate => {
      matches.set(m.conversationId, m);
      return { conversationId: m.conversationId, ...(m.reporterExternalId ? { sender: m.reporterExternalId } : {}) };
    };
    return {
      findByMessageIds: async (idLists) => {
        const found = await conversations.findManyByMessageExternalIds(this.channel, idLists.flat());
        // As the single lookup: the most specific id (first) that has a conversation decides.
        return idLists.map((ids) => {
          const id = ids.find((i) => found.has(i));
          return id === undefined ? [] : [keep(found.get(id)!)];
        });
      },
      findBySubjectTokens: async (numbers) => {
        const found = await conversations.findManyByIncidentNumbers(this.channel, numbers);
        return numbers.map((n) => {
          const m = found.get(n);
          return m && keep(m);
        });
      },
      findRecent: async (queries) => {
        const found = await conversations.findRecentByMatchKeys(
          this.channel,
          queries.map((q) => ({ key: emailMatchKey(q.sender, q.normalisedSubject), since: q.since })),
        );
        return found.map((m) => (m ? [keep(m)] : []));
      },
    };
  }

  /**
   * For each matched conversation with a short reply, how to read a numbered (or word) answer to its last
   * question with options: one transcript query for the round.
   */
  private async choicesFor(mails: { mail: ParsedEmail; match: ConversationMatch | undefined }[]): Promise<Map<string, (text: string) => string | undefined>> {
    const ids = mails.filter((m) => m.match && m.mail.visibleText.length <= MAX_CHOICE_REPLY).map((m) => m.match!.conversationId);
    const out = new Map<string, (text: string) => string | undefined>();
    if (ids.length === 0) return out;
    // The options of the last question the reporter received (the numbered list in that mail).
    for (const [id, options] of await this.host.conversations.lastDeliveredChoices(ids)) {
      out.set(id, (text) => (text.length > MAX_CHOICE_REPLY ? undefined : matchChoice(text, options)));
    }
    return out;
  }

  /**
   * A bounce of a mail we sent marks the failed recipient's address as failing on the person (contact), so the
   * adapter stops mailing it after a permanent failure. Only reports naming a Message-ID of ours count: a
   * forged or stray report cannot silence somebody's address.
   */
  private async recordBounce(mail: ParsedEmail): Promise<void> {
    const info = mail.bounce;
    const original = info?.originalMessageId;
    if (!info || !original || info.recipients.length === 0 || !this.isOwnMessageId(original)) return;
    const conversation = await this.host.conversations.findByMessageExternalIds(this.channel, [original]);
    if (!conversation) return;
    for (const address of info.recipients) {
      if (address === this.settings.supportMailbox) continue;
      if (conversation.reporterExternalId !== address && conversation.reference.to !== address) continue;
      const failure = { ...(info.status ? { status: info.status } : {}), ...(info.diagnostic ? { reason: info.diagnostic } : {}) };
      if (await this.host.deliveries.markFailing(this.channel, address, failure))
        this.host.logger.warn({ address, status: info.status, messageId: original }, 'mail to a reporter bounced; the address is marked failing');
    }
  }

  /** Our Message-IDs look like <frontline.<hex>@support-domain>. */
  private isOwnMessageId(id: string): boolean {
    return id.startsWith('<frontline.') && id.endsWith(`@${this.settings.supportMailbox.split('@')[1]}>`);
  }

  private acceptedAttachments(mail: ParsedEmail): EmailAttachment[] {
    return mail.attachments.filter((file) => {
      const refused = file.size > this.settings.maxAttachmentBytes ? 'too large' : BLOCKED_FILE.test(file.filename) ? 'blocked type' : undefined;
      if (refused) this.host.logger.info({ messageId: mail.messageId, filename: file.filename, size: file.size, refused }, 'attachment not stored');
      return !refused;
    });
  }

  /**
   * Stores the bytes before the message is received, so the message carries attachment ids. A new thread is
   * opened first to get its conversation id (open is idempotent; receive then answers the same conversation).
   */
  private async storeAttachments(inbound: InboundMessage, messageId: string, conversationId: string | undefined, files: EmailAttachment[]): Promise<AttachmentRef[]> {
    // A redelivered mail already has its message (and files): do not store the bytes twice.
    if (await this.host.conversations.findByMessageExternalIds(this.channel, [messageId])) return [];
    const id = conversationId ?? (await this.host.open({ channel: inbound.channel, threadKey: inbound.threadKey, reference: inbound.reference, ...(inbound.matchKey ? { matchKey: inbound.matchKey } : {}), user: inbound.user })).conversationId;
    const refs: AttachmentRef[] = [];
    for (const file of files) {
      const stored = await this.host.storeAttachment(id, { filename: file.filename, contentType: file.contentType, data: file.content });
      refs.push({ id: stored.id, filename: stored.filename, contentType: stored.contentType, size: stored.size });
    }
    return refs;
  }
}

function newReference(mail: ParsedEmail, messageId: string): EmailReference {
  // A new conversation is rooted at this mail, never at an id it references: two people answering the same
  // broadcast must not share a thread key.
  return {
    to: mail.from,
    subject: mail.subject,
    subjectKey: normaliseSubject(mail.subject),
    rootMessageId: messageId,
    lastMessageId: messageId,
    references: mail.references.filter((id) => id !== messageId),
  };
}

/** The first mail's subject is usually the best one-line summary: it leads the description (and the title). */
export function firstMailText(mail: Pick<ParsedEmail, 'subject' | 'visibleText'>): string {
  const subject = mail.subject.trim();
  const body = mail.visibleText.trim();
  if (!subject || normaliseSubject(subject) === '' || body.toLowerCase().startsWith(subject.toLowerCase())) return body;
  return body ? `${subject}\n\n${body}` : subject;
}

/** `1`, `1.`, `Yes`, `yes!` → the option's id; anything else → undefined (the dialog parses free text itself). */
export function matchChoice(text: string, choices: { id: string; label: string }[]): string | undefined {
  const first = (text.trim().split(/\r?\n/)[0] ?? '').trim().replace(/[\s.!)]+$/u, '').toLowerCase();
  if (!first) return undefined;
  const n = Number.parseInt(first, 10);
  if (String(n) === first) return n >= 1 && n <= choices.length ? choices[n - 1]!.id : undefined;
  return choices.find((c) => c.label.toLowerCase() === first || c.id.toLowerCase() === first)?.id;
}
