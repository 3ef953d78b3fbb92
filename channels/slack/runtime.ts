import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { ChannelHost, ReceiveResult } from '../types.js';
import type { SlackDirectory, WebClient } from './directory.js';
import type { SlackHealth } from './errors.js';
import type { SlackSettings } from './settings.js';
import { encodeSlackThreadKey, type SlackReference, toConversationReference } from './thread-key.js';

/** What every Slack handler shares once the adapter has started. */
export class SlackRuntime {
  /** Marks incident changes made from a card's Slack thread, so the card listener does not echo them back. */
  readonly origin = new AsyncLocalStorage<{ channel: string; threadTs: string }>();
  private readonly recent = new Map<string, number>();

  constructor(
    readonly host: ChannelHost,
    readonly web: WebClient,
    readonly settings: SlackSettings,
    readonly directory: SlackDirectory,
    readonly health: SlackHealth,
    readonly logger: Logger,
    readonly identity: { teamId: string; botUserId: string | undefined; botId: string | undefined },
  ) {}

  /** Channels whose threads belong to agents (triage cards), not to reporters. */
  isServiceDeskChannel(channel: string): boolean {
    return [...this.settings.triageChannels.values()].includes(channel) || channel === this.settings.restrictedChannel;
  }

  /**
   * First-line dedupe for agent-side events, which do not pass through the intake pipeline's durable event
   * table: Slack redelivers for up to ~5 minutes, so ten minutes of memory covers its retries. (Public
   * replies are also deduplicated durably by their outbox idempotency key.)
   */
  firstTime(key: string, ttlMs = 10 * 60_000): boolean {
    const now = Date.now();
    if (this.recent.size > 10_000) for (const [k, until] of this.recent) if (until < now) this.recent.delete(k);
    const until = this.recent.get(key);
    if (until && until > now) return false;
    this.recent.set(key, now + ttlMs);
    return true;
  }

  /** Hands a reporter's event to the intake pipeline, with the person as Slack vouches for them. */
  async receive(input: { team: string; channel: string; threadTs?: string; user: string; eventId: string; text?: string; choice?: string; occurredAt?: Date }): Promise<ReceiveResult> {
    const person = await this.directory.person(input.user).catch((err: unknown) => {
      this.logger.warn({ err, user: input.user }, 'users.info failed; continuing without profile');
      return undefined;
    });
    const reference: SlackReference = { team: input.team, channel: input.channel, user: input.user, ...(input.threadTs ? { thread_ts: input.threadTs } : {}) };
    return this.host.receive({
      channel: 'slack',
      eventId: input.eventId,
      threadKey: encodeSlackThreadKey(reference),
      reference: toConversationReference(reference),
      user: {
        externalId: input.user,
        displayName: person?.displayName,
        email: person?.email,
        emailVerified: Boolean(person?.email),
        locale: person?.locale,
      },
      ...(input.text !== undefined ? { text: input.text } : {}),
      ...(input.choice !== undefined ? { choice: input.choice } : {}),
      ...(person?.locale ? { locale: person.locale } : {}),
      ...(input.occurredAt ? { occurredAt: input.occurredAt } : {}),
    });
  }

  async ephemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void> {
    await this.web.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) }).catch((err: unknown) => this.logger.warn({ err }, 'ephemeral message failed'));
  }
}

/** Slack message ts → Date. */
export const tsToDate = (ts: string | undefined) => (ts ? new Date(Math.round(Number(ts) * 1000)) : undefined);

/** Removes `<@BOT>` mentions and tidies whitespace. */
export function stripMention(text: string, botUserId: string | undefined): string {
  const cleaned = botUserId ? text.replace(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), ' ') : text;
  return cleaned.replace(/[ \t]+/g, ' ').trim();
}
