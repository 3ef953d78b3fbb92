import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { ChannelSendError, type Choice } from '../types.js';
import { makeMessageId, renderChoicesText, renderHtml, replyReferences } from './compose.js';
import { replySubject } from './subject.js';

export interface SmtpSenderConfig {
  host: string;
  port: number;
  /** Implicit TLS (port 465). With false, STARTTLS is used when the server offers it. */
  secure: boolean;
  user?: string;
  pass?: string;
  /** The support mailbox, e.g. `"IT Support" <support@example.com>`; used as From and Reply-To. */
  from: string;
  /** Reply-To when it differs from `from`. */
  replyTo?: string;
  /** Domain of our Message-IDs; defaults to the domain of `from`. */
  messageIdDomain?: string;
  /** Extra nodemailer transport options (TLS, timeouts, pooling). */
  transport?: Partial<SMTPTransport.Options>;
}

export interface OutboundEmail {
  to: string[];
  cc?: string[];
  /** Subject of the conversation (prefixes are normalised; `Re:` and the token are added once). */
  subject: string;
  text: string;
  choices?: Choice[];
  /** Message-ID of the mail we answer. */
  inReplyTo?: string;
  /** References of the mail we answer (oldest first); `inReplyTo` is appended. */
  references?: string[];
  incidentNumber?: number | string;
  /** Mail nobody typed (acknowledgements, reminders): marked `Auto-Submitted: auto-replied` (RFC 3834). */
  automatic?: boolean;
  /** Stable across retries; makes the Message-ID deterministic. */
  idempotencyKey?: string;
  attachments?: { filename: string; content: Buffer; contentType?: string }[];
}

export interface SentEmail {
  messageId: string;
  /** Recipients the server accepted. */
  accepted: string[];
}

const RETRYABLE_CODES = new Set([
  'ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND',
  'EAI_AGAIN', 'EPROTOCOL', 'ETLS',
]);

/** SMTP reply codes: 4xx is transient by definition (RFC 5321 §4.2.1), 5xx permanent. */
export function toChannelSendError(error: unknown): ChannelSendError {
  const e = error as { responseCode?: number; code?: string; message?: string };
  const message = `SMTP send failed: ${e?.message ?? String(error)}`;
  if (typeof e?.responseCode === 'number') {
    return new ChannelSendError(message, { retryable: e.responseCode >= 400 && e.responseCode < 500, cause: error });
  }
  if (e?.code && RETRYABLE_CODES.has(e.code)) return new ChannelSendError(message, { retryable: true, cause: error });
  // Message or envelope we built is unusable (no recipients, bad address): retrying cannot help.
  if (e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE') return new ChannelSendError(message, { retryable: false, cause: error });
  return new ChannelSendError(message, { retryable: true, cause: error });
}

export class SmtpSender {
  private readonly transporter: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly domain: string;

  constructor(private readonly config: SmtpSenderConfig) {
    const auth = config.user ? { auth: { user: config.user, pass: config.pass ?? '' } } : {};
    this.transporter = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
      // Reuse connections: a fresh TCP (and TLS) handshake plus EHLO per reply cost more CPU than the message.
      pool: true,
      maxConnections: 4,
      ...auth,
      ...config.transport,
    });
    const fromAddress = /<([^>]+)>/.exec(config.from)?.[1] ?? config.from;
    this.domain = config.messageIdDomain ?? fromAddress.split('@')[1] ?? 'frontline.invalid';
  }

  /** Checks connection and credentials (for `/readyz`). */
  async verify(): Promise<void> {
    try {
      await this.transporter.verify();
    } catch (error) {
      throw toChannelSendError(error);
    }
  }

  async send(mail: OutboundEmail): Promise<SentEmail> {
    const messageId = makeMessageId(this.domain, mail.idempotencyKey);
    const references = replyReferences(mail.references, mail.inReplyTo);
    const subject = mail.inReplyTo || mail.incidentNumber !== undefined ? replySubject(mail.subject, mail.incidentNumber, Boolean(mail.inReplyTo)) : mail.subject;
    const headers: Record<string, string> = {};
    if (mail.automatic) {
      headers['Auto-Submitted'] = 'auto-replied';
      // Ask Exchange not to send its own automatic replies (OOF, read receipts) back to us.
      headers['X-Auto-Response-Suppress'] = 'All';
    }
    try {
      const info = await this.transporter.sendMail({
        from: this.config.from,
        replyTo: this.config.replyTo ?? this.config.from,
        to: mail.to,
        ...(mail.cc && mail.cc.length > 0 ? { cc: mail.cc } : {}),
        subject,
        messageId,
        ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
        ...(references.length > 0 ? { references } : {}),
        text: renderChoicesText(mail.text, mail.choices),
        html: renderHtml(mail.text, mail.choices),
        headers,
        ...(mail.attachments ? { attachments: mail.attachments } : {}),
      });
      return { messageId, accepted: (info.accepted as (string | { address: string })[]).map((a) => (typeof a === 'string' ? a : a.address)) };
    } catch (error) {
      throw toChannelSendError(error);
    }
  }

  close(): void {
    this.transporter.close();
  }
}
