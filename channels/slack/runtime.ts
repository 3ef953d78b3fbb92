import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { AttachmentRef, ChannelHost, ReceiveResult } from '../types.js';
import type { SlackDirectory, WebClient } from './directory.js';
import type { SlackHealth } from './errors.js';
import { downloadSlackFiles, type SlackFile, skippedNote } from './files.js';
import type { SlackSettings } from './settings.js';
import { encodeSlackThreadKey, type SlackReference, toConversationReference } from './thread-key.js';

/** What every Slack handler shares once the adapter has started. */
export class SlackRuntime {
  /** Marks incident changes made from a card's Slack thread, so the card listener does not echo them back. */
  readonly origin = new AsyncLocalStorage<{ channel: string; threadTs: string }>();

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
   * Hands a reporter's event to the intake pipeline, with the person as Slack vouches for them. Files they
   * shared are downloaded (within SLACK_MAX_FILE_BYTES) and stored in their conversation first, so they
   * arrive as attachments of the message; files that cannot be passed on are named in the text.
   */
  async receive(input: { team: string; channel: string; threadTs?: string; user: string; eventId: string; text?: string; choice?: string; occurredAt?: Date; files?: SlackFile[]; fields?: Record<string, string> }): Promise<ReceiveResult> {
    const person = await this.directory.person(input.user).catch((err: unknown) => {
      this.logger.warn({ err, user: input.user }, 'users.info failed; continuing without profile');
      return undefined;
    });
    const reference: SlackReference = { team: input.team, channel: input.channel, user: input.user, ...(input.threadTs ? { thread_ts: input.threadTs } : {}) };
    const conversation = {
      channel: 'slack',
      threadKey: encodeSlackThreadKey(reference),
      reference: toConversationReference(reference),
      user: {
        externalId: input.user,
        displayName: person?.displayName,
        email: person?.email,
        emailVerified: Boolean(person?.email),
        locale: person?.locale,
      },
    };
    let text = input.text;
    let attachments: AttachmentRef[] | undefined;
    // A redelivered event (Slack retries when the ack was slow) already has its message and files: the intake
    // will call it a duplicate, so do not download and store the files a second time.
    const redelivered = input.files?.length ? await this.host.conversations.findByMessageExternalIds('slack', [input.eventId]) : undefined;
    if (input.files?.length && !redelivered) {
      const { conversationId } = await this.host.open(conversation); // files are stored per conversation
      const { files, skipped } = await downloadSlackFiles(this, input.files);
      attachments = [];
      for (const f of files) attachments.push(await this.host.storeAttachment(conversationId, f));
      if (skipped.length) text = [text, skippedNote(skipped, this.settings.maxFileBytes)].filter(Boolean).join('\n');
    }
    return this.host.receive({
      ...conversation,
      eventId: input.eventId,
      ...(text !== undefined ? { text } : {}),
      ...(attachments?.length ? { attachments } : {}),
      ...(input.choice !== undefined ? { choice: input.choice } : {}),
      ...(input.fields ? { fields: input.fields } : {}),
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
