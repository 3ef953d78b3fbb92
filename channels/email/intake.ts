import { createHash } from 'node:crypto';
import type { AttachmentRef, ChannelHost, ConversationMatch, InboundMessage } from '../types.js';
import { EmailParseError, parseEmail } from './parse.js';
import { SenderRateLimiter } from './rate-limit.js';
import {
  advanceReference,
  encodeEmailThreadKey,
  parseEmailReference,
  stateKeys,
  storedChoicesSchema,
  type EmailReference,
} from './reference.js';
import type { EmailSettings } from './settings.js';
import { normaliseSubject } from './subject.js';
import { resolveThread, type ThreadLookup, type ThreadMatch } from './threading.js';
import type { EmailAttachment, ParsedEmail } from './types.js';

/**
 * Inbound mail → intake pipeline. Noise (bounces, auto-replies, mailing lists, our own mail) never reaches the
 * dialog, so it can neither open an incident nor be answered. Everything else is threaded from its headers,
 * subject token or subject, and handed to `host.receive` with the Message-ID as the event id (a redelivered
 * mail is a duplicate there).
 */

export type DropReason = 'unparseable' | 'no-sender' | 'own-mail' | 'bounce' | 'auto-reply' | 'mailing-list' | 'rate-limited';
export type IntakeOutcome =
  | { kind: 'received'; conversationId: string; duplicate: boolean; thread: ThreadMatch['kind'] }
  | { kind: 'dropped'; reason: DropReason };

/** Files never accepted from mail (executables and scripts), by extension. */
const BLOCKED_FILE = /\.(exe|com|bat|cmd|scr|pif|msi|msp|vbs|vbe|js|jse|wsf|wsh|ps1|psm1|jar|hta|cpl|lnk|reg|dll)$/i;
/** A reply this short whose first line is a number or an option's label answers a numbered question. */
const MAX_CHOICE_REPLY = 200;

export class EmailIntake {
  readonly dropped = new Map<DropReason, number>();
  private readonly limiter: SenderRateLimiter;

  constructor(
    private readonly host: ChannelHost,
    private readonly settings: Pick<EmailSettings, 'supportMailbox' | 'maxAttachmentBytes' | 'senderRateLimit'> & { ownAddresses?: string[] },
    private readonly channel = 'email',
  ) {
    this.limiter = new SenderRateLimiter(settings.senderRateLimit, 60 * 60 * 1000);
  }

  /** Handles one raw mail. Rejects only on failures worth retrying (database down); bad mail is dropped. */
  async handle(raw: Buffer): Promise<IntakeOutcome> {
    const log = this.host.logger;
    let mail: ParsedEmail;
    try {
      mail = await parseEmail(raw);
    } catch (error) {
      if (!(error instanceof EmailParseError)) throw error;
      log.warn({ err: error }, 'unparseable mail dropped');
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
    const matches = new Map<string, ConversationMatch>();
    const thread = await resolveThread({ ...mail, messageId }, this.lookup(matches), {
      // A guessed [INC-…] token must not inject into somebody else's incident.
      tokenAllowed: (candidate, sender) => candidate.sender === undefined || candidate.sender === sender,
    });
    const match = thread.kind === 'new' ? undefined : matches.get(thread.conversationId);
    const reference = match
      ? advanceReference(parseEmailReference(match.reference), { messageId, references: mail.references, ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}) })
      : newReference(mail, messageId);
    const threadKey = match?.threadKey ?? encodeEmailThreadKey(reference);

    // The person wrote to us, so their address works again.
    await this.host.deliveries.clear(this.channel, mail.from);
    const inbound: InboundMessage = {
      channel: this.channel,
      eventId: messageId,
      threadKey,
      reference,
      ...(match ? {} : { newThread: true }),
      user: { externalId: mail.from, ...(mail.fromName ? { displayName: mail.fromName } : {}), email: mail.from, emailVerified: false },
      ...(mail.date ? { occurredAt: mail.date } : {}),
    };
    const choice = match ? await this.choiceFor(match.conversationId, mail.visibleText) : undefined;
    if (choice) inbound.choice = choice; // the transcript shows the option's label
    else inbound.text = match ? mail.visibleText : firstMailText(mail);

    const files = this.acceptedAttachments(mail);
    if (files.length > 0) {
      const stored = await this.storeAttachments(inbound, messageId, match?.conversationId, files);
      if (stored.length > 0) inbound.attachments = stored;
    }
    const result = await this.host.receive(inbound);
    return { kind: 'received', conversationId: result.conversationId, duplicate: result.duplicate, thread: thread.kind };
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

  private lookup(matches: Map<string, ConversationMatch>): ThreadLookup {
    const { conversations } = this.host;
    const keep = (m: ConversationMatch | undefined) => {
      if (!m) return undefined;
      matches.set(m.conversationId, m);
      return { conversationId: m.conversationId, ...(m.reporterExternalId ? { sender: m.reporterExternalId } : {}) };
    };
    return {
      findByMessageIds: async (ids) => [keep(await conversations.findByMessageExternalIds(this.channel, ids))].filter((c) => c !== undefined),
      findBySubjectToken: async (n) => keep(await conversations.findByIncidentNumber(this.channel, n)),
      findRecent: async (sender, subjectKey, since) =>
        [keep(await conversations.findRecentByReference(this.channel, { to: sender, subjectKey }, since))].filter((c) => c !== undefined),
    };
  }

  /** A numbered (or word) answer to the last question with options in this conversation, as the option's id. */
  private async choiceFor(conversationId: string, text: string): Promise<string | undefined> {
    if (text.length > MAX_CHOICE_REPLY) return undefined;
    const parsed = storedChoicesSchema.safeParse(await this.host.state.get(stateKeys.choices(conversationId)));
    if (!parsed.success || parsed.data.length === 0) return undefined;
    return matchChoice(text, parsed.data);
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
    const id = conversationId ?? (await this.host.open({ channel: inbound.channel, threadKey: inbound.threadKey, reference: inbound.reference, user: inbound.user })).conversationId;
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
