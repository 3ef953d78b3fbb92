import { randomUUID } from 'node:crypto';
import type { Interface } from 'node:readline/promises';
import type { ChannelAdapter, ChannelCapabilities, ChannelHealth, ChannelHost, OutboundMessage, SendResult } from '../types.js';

export type TerminalReference = { session: string };

/**
 * `frontline chat`: the bot in a terminal, through the same pipeline as every other channel. Choices are
 * numbered because a terminal has no buttons.
 */
export class TerminalAdapter implements ChannelAdapter<TerminalReference> {
  readonly name = 'terminal';
  readonly capabilities: ChannelCapabilities = { buttons: false, threads: false, edit: false, attachments: false, maxTextLength: 10_000, markup: 'plain' };
  private host: ChannelHost | undefined;

  constructor(
    private readonly session: string,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  async start(host: ChannelHost): Promise<void> {
    this.host = host;
  }

  async stop(): Promise<void> {}

  /** Opens (or resumes) this terminal's conversation; the greeting arrives through the outbox. */
  async open(user: string, locale?: string): Promise<string> {
    const { conversationId } = await this.requireHost().open({
      channel: this.name,
      threadKey: this.encodeThreadKey({ session: this.session }),
      reference: { session: this.session },
      user: { externalId: user, displayName: user },
      locale,
    });
    return conversationId;
  }

  /**
   * Reads lines until end of input. A bare number answers the numbered choice; the dialog resolves it against the
   * question it is asking (as for email), not the last one printed: with piped input, the next line is read
   * before the reply to the previous one has been delivered.
   */
  async run(rl: Interface, user: string): Promise<void> {
    for await (const line of rl) {
      const text = line.trim();
      if (!text) continue;
      if (text === '/quit' || text === '/exit') break;
      await this.requireHost().receive({
        channel: this.name,
        eventId: randomUUID(),
        threadKey: this.encodeThreadKey({ session: this.session }),
        reference: { session: this.session },
        user: { externalId: user, displayName: user },
        text,
      });
    }
  }

  encodeThreadKey(reference: TerminalReference): string {
    return `${this.name}:${reference.session}`;
  }

  decodeThreadKey(threadKey: string): TerminalReference {
    const [prefix, ...rest] = threadKey.split(':');
    if (prefix !== this.name || rest.length === 0 || !rest.join(':')) throw new Error(`not a terminal thread key: ${threadKey}`);
    return { session: rest.join(':') };
  }

  async send(_reference: TerminalReference, message: OutboundMessage): Promise<SendResult> {
    const who = message.author.kind === 'agent' ? message.author.name : 'bot';
    this.write(`${who}> ${message.text}`);
    (message.choices ?? []).forEach((c, i) => this.write(`     ${i + 1}. ${c.label}`));
    return {};
  }

  async health(): Promise<ChannelHealth> {
    return { ok: true };
  }

  private requireHost(): ChannelHost {
    if (!this.host) throw new Error('terminal channel not started');
    return this.host;
  }
}
