import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import {
  ChannelSendError,
  type ChannelAdapter,
  type ChannelCapabilities,
  type ChannelHealth,
  type ChannelHost,
  type ConversationReference,
  type OutboundMessage,
  type SendContext,
  type SendResult,
} from '../types.js';
import { ImapSource, type ImapSourceOptions } from './imap-source.js';
import { EmailIntake, type IntakeOutcome } from './intake.js';
import { decodeEmailThreadKey, encodeEmailThreadKey, parseEmailReference, stateKeys, type EmailReference } from './reference.js';
import { normaliseSubject } from './subject.js';
import { LeaseRunner } from '../lease-runner.js';
import { parseEmailSettings, type EmailSettings } from './settings.js';
import { SmtpSender, type SmtpSenderConfig } from './smtp-sender.js';

export { EMAIL_SETTING_KEYS } from './settings.js';

const checkpointSchema = z.object({ uidValidity: z.number(), lastUid: z.number() });
const SMTP_VERIFY_TTL_MS = 60_000;

export interface EmailAdapterOptions {
  /** Overrides for the IMAP supervisor (tests shorten backoff and IDLE delays). */
  imap?: Partial<Omit<ImapSourceOptions, 'onMail' | 'onMails' | 'checkpoint' | 'logger'>>;
  /** Extra nodemailer transport options (TLS, pooling). */
  smtpTransport?: SmtpSenderConfig['transport'];
  /** Do not connect to IMAP (mail is fed through `handleMail`, e.g. replays and benchmarks). */
  intake?: boolean;
}

/**
 * Email as a channel: a supervised IMAP mailbox in, SMTP out. One conversation per mail thread, keyed by the
 * thread's root Message-ID (`email:<id@host>`); choices are rendered as numbered options and a reply of "1"
 * or the option's word answers them.
 */
export class EmailAdapter implements ChannelAdapter<EmailReference> {
  readonly name = 'email';
  readonly capabilities: ChannelCapabilities = {
    buttons: false,
    threads: true,
    edit: false,
    attachments: true,
    maxTextLength: 100_000,
    markup: 'plain',
    conversational: false, // [dialog] a complete report is filed at once (see README, Dialogs)
  };
  readonly retention = {
    // After a UIDVALIDITY change the mailbox is re-scanned and Message-IDs tell what was handled: keep them.
    keepInboundEvents: true,
    // Options of the last bot mail, remembered per conversation before the transcript served them (until stop 8);
    // nothing writes them any more, so the daily housekeeping removes them once they are a month old.
    ephemeralState: [
      { prefix: 'choices:', maxAgeDays: 30 },
      // Incident numbers per conversation, remembered for the subject token until the outbox named the
      // incident on every message (stop 10); removed the same way.
      { prefix: 'incident:', maxAgeDays: 30 },
    ],
  };

  private host: ChannelHost | undefined;
  private intake: EmailIntake | undefined;
  private source: ImapSource | undefined;
  private reader: LeaseRunner | undefined;
  /** Resolves when this instance first takes the mailbox lease. */
  private leading: Promise<void> = new Promise(() => {});
  private sender: SmtpSender | undefined;
  private smtpCheck: { ok: boolean; detail: string; at: number } | undefined;

  constructor(readonly settings: EmailSettings, private readonly options: EmailAdapterOptions = {}) {}

  async start(host: ChannelHost): Promise<void> {
    const s = this.settings;
    this.host = host;
    this.intake = new EmailIntake(host, { ...s, ownAddresses: [s.imap.user] }, this.name);
    this.sender = new SmtpSender({
      host: s.smtp.host,
      port: s.smtp.port,
      secure: s.smtp.secure,
      ...(s.smtp.user ? { user: s.smtp.user, pass: s.smtp.pass ?? '' } : {}),
      from: s.supportAddress,
      replyTo: s.supportAddress,
      ...(this.options.smtpTransport ? { transport: this.options.smtpTransport } : {}),
    });
    if (this.options.intake === false) return;
    const checkpointKey = stateKeys.checkpoint(s.imap.user, s.imap.mailbox);
    const createSource = () => new ImapSource({
      host: s.imap.host,
      port: s.imap.port,
      secure: s.imap.secure,
      user: s.imap.user,
      pass: s.imap.pass,
      mailbox: s.imap.mailbox,
      processedAction: s.imap.processed,
      pollIntervalMs: s.imap.pollIntervalMs,
      logger: host.logger,
      checkpoint: {
        load: async () => {
          const parsed = checkpointSchema.safeParse(await host.state.get(checkpointKey));
          return parsed.success ? parsed.data : null;
        },
        save: (state) => host.state.set(checkpointKey, { uidValidity: state.uidValidity, lastUid: state.lastUid }),
      },
      // A round of independent mails: one batch through the intake (batched lookups, one receiveMany).
      onFetched: (raws) => this.intake?.prefetch(raws),
      onMails: async (mails) => {
        await this.handleMails(mails.map((m) => m.raw));
      },
      knownMessageIds: async (ids) => new Set((await host.conversations.findManyByMessageExternalIds(this.name, ids)).keys()),
      ...this.options.imap,
    });
    let lead!: () => void;
    this.leading = new Promise((resolve) => (lead = resolve));
    // One instance reads the mailbox; the others stand by (see ../lease-runner.ts). With several instances on
    // one database each would otherwise fetch and parse every mail (the intake's event keys would still keep
    // the effects exactly-once), race on the UID checkpoint and split the per-sender rate limit. Connecting
    // happens in the background: a mail server that is down must not stop the whole service.
    this.reader = new LeaseRunner({
      store: host.state,
      key: stateKeys.reader(s.imap.user, s.imap.mailbox),
      holder: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      ttlMs: s.imap.leaseMs,
      // An overlap while the lease changes hands costs repeated fetches, never duplicate effects: with the
      // database unreachable, keep reading for as long as the lease taken last is ours by this clock.
      keepLeadingWithoutRenewalMs: s.imap.leaseMs,
      work: 'reads the mailbox',
      logger: host.logger,
      lead: () => {
        this.source = createSource();
        this.source.start();
        lead();
      },
      yieldLead: async () => {
        const source = this.source;
        this.source = undefined;
        await source?.stop();
      },
    });
    this.reader.start();
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
    this.reader = undefined;
    this.sender?.close();
  }

  /** Resolves once this instance reads the mailbox, connected and caught up (tests and tools). */
  async whenConnected(): Promise<void> {
    if (!this.reader) return;
    await this.leading;
    await this.source?.whenConnected();
  }

  /** Runs one raw mail through the intake (replays, tests). */
  handleMail(raw: Buffer): Promise<IntakeOutcome> {
    if (!this.intake) throw new Error('the email channel is not started');
    return this.intake.handle(raw);
  }

  /** Runs raw mails through the intake as one batch (what the IMAP source does for every round of new mail). */
  handleMails(raws: Buffer[]): Promise<IntakeOutcome[]> {
    if (!this.intake) throw new Error('the email channel is not started');
    return this.intake.handleMany(raws);
  }

  encodeThreadKey(reference: EmailReference): string {
    return encodeEmailThreadKey(reference);
  }

  decodeThreadKey(threadKey: string): Partial<EmailReference> {
    return decodeEmailThreadKey(threadKey);
  }

  /**
   * A mail thread we start (a notice that could not reach the reporter on another channel). Its root id is ours
   * and never sent, so the first mail answers nothing (no In-Reply-To); the reporter's reply threads by our
   * mail's Message-ID or the subject's incident token, like any other.
   */
  startConversation(address: string, context: { incidentNumber: string; title: string }): { threadKey: string; reference: EmailReference } {
    const domain = /@([^>\s]+)>?$/.exec(this.settings.supportAddress)?.[1] ?? 'frontline.invalid';
    const rootMessageId = `<notice-${randomUUID()}@${domain}>`;
    const subject = context.title;
    const reference: EmailReference = { to: address, subject, subjectKey: normaliseSubject(subject), rootMessageId, lastMessageId: '', references: [] };
    return { threadKey: encodeEmailThreadKey(reference), reference };
  }

  async send(stored: ConversationReference, message: OutboundMessage, context: SendContext): Promise<SendResult> {
    const { host, sender } = this.started();
    let reference: EmailReference;
    try {
      reference = parseEmailReference(stored);
    } catch (cause) {
      throw new ChannelSendError('conversation reference is not an email reference', { retryable: false, cause });
    }
    const failing = await host.deliveries.get(this.name, reference.to);
    if (failing?.hard) {
      // Dead-lettered with the reason (an agent sees it in the outbox and on the contact); never retried.
      const status = failing.status ? ` (${failing.status})` : '';
      throw new ChannelSendError(
        `mail to ${reference.to} bounced${status} on ${failing.lastBounceAt.toISOString()}${failing.reason ? `: ${failing.reason}` : ''}; not sending until they write again`,
        { retryable: false },
      );
    }
    // Set by the outbox on every message of a conversation linked to an incident: the subject token.
    const incidentNumber = message.incidentNumber;
    const files = await this.outboundFiles(context.conversationId, message);
    const sent = await sender.send({
      to: [reference.to],
      subject: reference.subject,
      text: files.note ? `${attributed(message)}\n\n${files.note}` : attributed(message),
      ...(files.attached.length ? { attachments: files.attached } : {}),
      ...(message.choices?.length ? { choices: message.choices } : {}),
      inReplyTo: reference.lastMessageId,
      references: reference.references,
      ...(incidentNumber ? { incidentNumber } : {}),
      // Only a person's reply is not automatic (RFC 3834): out-of-office responders stay quiet for the rest.
      automatic: message.author.kind !== 'agent',
      idempotencyKey: context.idempotencyKey,
    });
    // A soft failure (4.x.x) is over once a later mail is accepted.
    if (failing && sent.accepted.map((a) => a.toLowerCase()).includes(reference.to)) await host.deliveries.clear(this.name, reference.to);
    return { externalId: sent.messageId };
  }

  /**
   * Files of an outbound message (an agent's file relayed from Slack), read from the conversation's store and
   * attached. One over EMAIL_MAX_ATTACHMENT_BYTES, or gone from the store, is named in a note instead.
   */
  private async outboundFiles(conversationId: string, message: OutboundMessage): Promise<{ attached: { filename: string; content: Buffer; contentType: string }[]; note: string }> {
    const attached: { filename: string; content: Buffer; contentType: string }[] = [];
    const missing: string[] = [];
    for (const ref of message.attachments ?? []) {
      const found = ref.id && ref.size <= this.settings.maxAttachmentBytes ? await this.started().host.readAttachment(conversationId, ref.id) : undefined;
      if (found) attached.push({ filename: ref.filename, content: found.data, contentType: ref.contentType });
      else missing.push(`"${ref.filename}"`);
    }
    const note = missing.length ? `(Not attached, too large for email or no longer available: ${missing.join(', ')}. Reply to ask for another way to get it.)` : '';
    return { attached, note };
  }

  async health(): Promise<ChannelHealth> {
    if (!this.sender) return { ok: false, detail: 'not started' };
    const smtp = await this.checkSmtp();
    const parts: string[] = [];
    let ok = smtp.ok;
    if (this.reader && !this.reader.isLeading) {
      parts.push('imap standby (another instance reads the mailbox)');
    } else if (this.source) {
      const imap = this.source.health();
      ok &&= imap.connected;
      parts.push(`imap ${imap.connected ? 'connected' : 'disconnected'} (${imap.delivered} mails, ${imap.reconnects} reconnects${imap.lastError ? `, last error: ${imap.lastError}` : ''})`);
    } else {
      parts.push('imap intake off');
    }
    parts.push(`smtp ${smtp.detail}`);
    const dropped = [...(this.intake?.dropped ?? [])].map(([k, n]) => `${k} ${n}`).join(', ');
    if (dropped) parts.push(`not answered: ${dropped}`);
    return { ok, detail: parts.join('; ') };
  }

  private async checkSmtp(): Promise<{ ok: boolean; detail: string }> {
    const now = Date.now();
    if (this.smtpCheck && now - this.smtpCheck.at < SMTP_VERIFY_TTL_MS) return this.smtpCheck;
    try {
      await this.sender!.verify();
      this.smtpCheck = { ok: true, detail: 'ok', at: now };
    } catch (error) {
      this.smtpCheck = { ok: false, detail: (error as Error).message, at: now };
    }
    return this.smtpCheck;
  }

  private started(): { host: ChannelHost; sender: SmtpSender } {
    if (!this.host || !this.sender) throw new ChannelSendError('the email channel is not started', { retryable: true, retryAfterMs: 5_000 });
    return { host: this.host, sender: this.sender };
  }
}

/** An agent's words carry their name; the core's reply notice usually does already ("Maria on INC-…: …"). */
function attributed(message: OutboundMessage): string {
  if (message.author.kind !== 'agent' || message.text.includes(message.author.name)) return message.text;
  return `${message.author.name} (service desk):\n\n${message.text}`;
}

/** The email channel when IMAP_HOST is set; throws on invalid email settings. */
export function emailFromEnv(env: Record<string, string | undefined>): EmailAdapter | undefined {
  if (!env.IMAP_HOST) return undefined;
  return new EmailAdapter(parseEmailSettings(env));
}

export type { EmailSettings };
