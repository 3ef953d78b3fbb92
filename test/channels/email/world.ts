import { EmailAdapter, type EmailAdapterOptions } from '../../../channels/email/adapter.js';
import { parseEmailSettings } from '../../../channels/email/settings.js';
import type { ChannelAdapter } from '../../../channels/types.js';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.js';
import type { DbKind } from '../../helpers/databases.js';
import { DovecotServer } from './dovecot.js';
import { SmtpSink, type CapturedMail } from './smtp-sink.js';

export const SUPPORT = 'support@frontline.test';

/** A Frontline instance with the email channel on a real Dovecot (IMAP in) and an smtp-server sink (SMTP out). */
export class EmailWorld {
  private constructor(
    readonly app: TestApp,
    readonly email: EmailAdapter,
    readonly sink: SmtpSink,
    readonly dovecot: DovecotServer | undefined,
  ) {}

  static async start(
    kind: DbKind,
    options: { imap?: boolean; env?: Record<string, string>; adapter?: EmailAdapterOptions; channels?: ChannelAdapter[] } = {},
  ): Promise<EmailWorld> {
    const sink = new SmtpSink();
    await sink.start();
    const dovecot = options.imap === false ? undefined : new DovecotServer();
    await dovecot?.start();
    const settings = parseEmailSettings({
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(dovecot?.port ?? 1),
      IMAP_SECURE: 'false',
      IMAP_USER: dovecot?.user.user ?? SUPPORT,
      IMAP_PASSWORD: dovecot?.user.pass ?? 'unused',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      SMTP_SECURE: 'false',
      SUPPORT_ADDRESS: `"IT Support" <${SUPPORT}>`,
      ...options.env,
    });
    const email = new EmailAdapter(settings, {
      smtpTransport: { ignoreTLS: true },
      intake: options.imap !== false,
      imap: { initialSync: 'all', reconnect: { initialMs: 50, maxMs: 500 }, autoIdleDelayMs: 200, pollIntervalMs: 2_000 },
      ...options.adapter,
    });
    const app = await startTestApp(kind, { channels: [email, ...(options.channels ?? [])] });
    return new EmailWorld(app, email, sink, dovecot);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.sink.stop();
    await this.dovecot?.destroy();
  }

  /** Delivers mails into the support mailbox (IMAP APPEND). */
  async deliver(...mails: string[]): Promise<void> {
    if (!this.dovecot) throw new Error('this world has no IMAP server');
    await this.dovecot.deliver(mails);
  }

  /** Waits for a mail we sent to `to` whose text matches `pattern`. */
  expectMail(to: string, pattern: RegExp, timeoutMs = 15_000): Promise<CapturedMail> {
    return eventually(
      async () => this.sink.received.find((m) => m.envelope.to.includes(to) && pattern.test(m.parsed.text ?? '')),
      timeoutMs,
      `a mail to ${to} matching ${pattern}`,
    );
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await this.app.frontline.db.pool.query<{ n: string }>(sql, params);
    return Number(rows[0]?.n ?? 0);
  }
}

/** An RFC 5322 mail as a reporter's client would send it. */
export function mail(fields: {
  from: string;
  subject: string;
  messageId: string;
  body: string;
  inReplyTo?: string;
  references?: string[];
  headers?: string[];
  to?: string;
}): string {
  return [
    `From: ${fields.from}`,
    `To: ${fields.to ?? SUPPORT}`,
    `Subject: ${fields.subject}`,
    `Message-ID: ${fields.messageId}`,
    ...(fields.inReplyTo ? [`In-Reply-To: ${fields.inReplyTo}`] : []),
    ...(fields.references?.length ? [`References: ${fields.references.join(' ')}`] : []),
    'Date: Tue, 4 Mar 2025 09:15:00 +0100',
    'MIME-Version: 1.0',
    ...(fields.headers ?? []),
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    fields.body,
    '',
  ].join('\r\n');
}

/** Headers of a captured mail, as the reporter's client sees them. */
export function threading(m: CapturedMail): { messageId: string; inReplyTo: string | undefined; references: string[]; subject: string; autoSubmitted: unknown } {
  const refs = m.parsed.references;
  return {
    messageId: m.parsed.messageId ?? '',
    inReplyTo: m.parsed.inReplyTo,
    references: refs === undefined ? [] : Array.isArray(refs) ? refs : [refs],
    subject: m.parsed.subject ?? '',
    autoSubmitted: m.parsed.headers.get('auto-submitted'),
  };
}
