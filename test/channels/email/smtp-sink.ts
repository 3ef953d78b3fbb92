import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/** A real SMTP server (smtp-server) that stores what it receives; can be told to answer with an error code. */
export interface CapturedMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

export class SmtpSink {
  readonly received: CapturedMail[] = [];
  port = 0;
  /** When set, the next DATA is answered with this SMTP code (e.g. 451 or 550). */
  failNextWith: number | undefined;
  private server: SMTPServer | undefined;

  async start(options: Partial<SMTPServerOptions> = {}): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const code = this.failNextWith;
          if (code !== undefined) {
            this.failNextWith = undefined;
            const error = Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), {
              responseCode: code,
            });
            return callback(error);
          }
          const raw = Buffer.concat(chunks);
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const to = session.envelope.rcptTo.map((r) => r.address);
          simpleParser(raw)
            .then((parsed) => {
              this.received.push({ envelope: { from, to }, raw, parsed });
              callback();
            })
            .catch(callback);
        });
      },
      ...options,
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
