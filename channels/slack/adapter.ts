import { App, ExpressReceiver, LogLevel, type Logger as BoltLogger, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ChannelAdapter, ChannelCapabilities, ChannelHealth, ChannelHost, ConversationReference, OutboundMessage, SendContext, SendResult } from '../types.js';
import { agentMessage, registerAgentActions } from './agent.js';
import { declareBlocks, majorCardListener, registerMajorActions } from './major.js'; // [major]
import { CARD_METADATA, cardMessage, choiceBlocks, toMrkdwn } from './blocks.js';
import { cardListener, isCardMessage } from './cards.js';
import { SlackDirectory, type WebClient } from './directory.js';
import { SlackHealth, toSendError } from './errors.js';
import { outboundFiles, skippedNote, uploadToSlack } from './files.js';
import { intakeMessage, messageEventSchema, registerIntake, teamOf } from './intake.js';
import { SlackRuntime } from './runtime.js';
import { formKey, registerSummaryModal, reviewButton } from './summary.js';
import { parseSlackSettings, type SlackSettings } from './settings.js';
import { decodeSlackThreadKey, encodeSlackThreadKey, parseSlackReference, type SlackReference, toConversationReference } from './thread-key.js';

export { SLACK_SETTING_KEYS } from './settings.js';

/** Message subtypes that are a person writing (everything else, e.g. joins and topic changes, is ignored). */
const USER_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'message_changed', 'message_deleted']);

/**
 * Slack as an intake channel (DMs, @mentions, `/incident`, a message shortcut, App Home) and as the agents'
 * workspace (a triage card per incident, relayed thread replies, buttons and thread commands).
 * HTTP mode mounts Bolt's ExpressReceiver at `/slack/events`; Socket Mode connects out instead.
 */
export class SlackAdapter implements ChannelAdapter {
  readonly name = 'slack';
  readonly capabilities: ChannelCapabilities = {
    buttons: true,
    threads: true,
    edit: true,
    attachments: true, // within SLACK_MAX_FILE_BYTES
    maxTextLength: 3_000, // a section block's limit; choices are rendered in one
    markup: 'slack-mrkdwn',
  };
  /** The "Review & edit" summary forms are only useful while the dialog waits for its answer. */
  readonly retention = { ephemeralState: [{ prefix: 'form:', maxAgeDays: 7 }] };

  private web: WebClient | undefined;
  private app: App | undefined;
  private rt: SlackRuntime | undefined;
  private health_: SlackHealth | undefined;

  private teamId = 'T0';

  constructor(readonly settings: SlackSettings) {}

  /**
   * A conversation we start: a channel (a service's audience, e.g. `it-status` or `C0123`) or a user id (a DM),
   * posted into at top level. Used by major-incident broadcasts and notice failover.
   */
  startConversation(address: string): { threadKey: string; reference: ConversationReference } {
    const reference: SlackReference = { team: this.teamId, channel: address.replace(/^#/, '') };
    return { threadKey: encodeSlackThreadKey(reference), reference: toConversationReference(reference) };
  }

  /** Operator alerts with no explicit targets (e.g. WhatsApp Web's) land where the service desk already looks. */
  operatorAlertAddress(): string | undefined {
    return this.settings.triageChannels.get('default') ?? this.settings.triageChannels.values().next().value;
  }

  async start(host: ChannelHost): Promise<void> {
    const s = this.settings;
    const logger = host.logger;
    const health = (this.health_ = new SlackHealth(logger));
    // retries: 0 — the outbox retries (the client's default retries for ~30 minutes, hiding failures);
    // rate limits surface as errors carrying Retry-After instead of silently pausing the client.
    const clientOptions = { slackApiUrl: s.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: boltLogger(logger) };
    const web = (this.web = new webApi.WebClient(s.botToken, clientOptions));
    const auth = await web.auth.test().catch((err: unknown) => {
      health.report('auth', `auth.test failed (${err instanceof Error ? err.message : String(err)}); check SLACK_BOT_TOKEN`);
      return undefined;
    });
    const identity = { teamId: auth?.team_id ?? 'T0', botUserId: auth?.user_id, botId: auth?.bot_id };
    this.teamId = identity.teamId;
    const directory = new SlackDirectory(web, s, () => identity.botUserId, host);
    const rt = (this.rt = new SlackRuntime(host, web, s, directory, health, logger, identity));

    // Our own auth.test result is handed to Bolt, so a bad token does not become a cached rejected promise.
    const known = identity.botId && identity.botUserId ? { botId: identity.botId, botUserId: identity.botUserId } : {};
    const common = { token: s.botToken, clientOptions, tokenVerificationEnabled: false, logger: boltLogger(logger), ...known };
    if (s.socketMode) {
      this.app = new App({ ...common, socketMode: true, receiver: socketReceiver(s, logger) });
    } else {
      const receiver = new ExpressReceiver({
        signingSecret: s.signingSecret!,
        endpoints: '/events', // mounted under /slack: events, interactivity and slash commands share it
        processBeforeResponse: false, // ack first (Slack wants it within 3 s), work afterwards
        logger: boltLogger(logger),
      });
      this.app = new App({ ...common, receiver });
      host.mount('/slack', receiver.router);
    }
    const app = this.app;
    app.error(async (err) => {
      logger.warn({ err }, 'Slack listener failed');
    });
    app.event('message', async ({ event, body }) => {
      const parsed = messageEventSchema.safeParse(event);
      if (!parsed.success) return;
      const e = parsed.data;
      // Our own posts and uploads (files shared into a thread arrive as the bot user's file_share) are not people.
      if (!USER_SUBTYPES.has(e.subtype) || e.bot_id || (e.user && e.user === identity.botUserId)) return;
      if (rt.isServiceDeskChannel(e.channel)) return agentMessage(rt, e);
      const isDm = e.channel_type === 'im' || e.channel.startsWith('D');
      if (isDm) return intakeMessage(rt, teamOf(body), e);
      // Ordinary channels: a mention is handled by app_mention; plain replies only in threads it started.
      const text = e.text ?? e.message?.text ?? '';
      if (identity.botUserId && text.includes(`<@${identity.botUserId}>`)) return;
      const threadTs = e.thread_ts ?? e.message?.thread_ts ?? e.previous_message?.thread_ts;
      if (threadTs && (await rt.directory.isIntakeThread(e.channel, threadTs))) return intakeMessage(rt, teamOf(body), e);
    });
    registerIntake(app, rt);
    registerAgentActions(app, rt);
    registerSummaryModal(app, rt);
    host.onIncidentChange(cardListener(rt));
    registerMajorActions(app, rt); // [major] candidate cards with a Declare button
    host.onMajorIncidentChange?.(majorCardListener(rt));
    if (s.socketMode) await app.start();
  }

  async stop(): Promise<void> {
    if (this.settings.socketMode) await this.app?.stop();
  }

  encodeThreadKey(reference: ConversationReference): string {
    return encodeSlackThreadKey(parseSlackReference(reference));
  }

  decodeThreadKey(threadKey: string): Partial<ConversationReference> {
    return decodeSlackThreadKey(threadKey) as Partial<ConversationReference>;
  }

  async send(stored: ConversationReference, message: OutboundMessage, context: SendContext): Promise<SendResult> {
    const { web, rt, health } = this.started();
    const reference = parseSlackReference(stored);
    try {
      if (isCardMessage(reference, message)) return await this.postCard(reference, message, context);
      let threadTs = reference.thread_ts;
      let text = toMrkdwn(message.text);
      if (reference.card) {
        // The card's ts is recorded in the database when it is posted (any instance, any restart).
        threadTs = await rt.directory.cardTs(reference.channel, reference.incidentId ?? '');
        if (!threadTs) text = `*${message.incidentNumber ?? ''}* ${text}`; // card gone from history: post beside it
      }
      const files = message.attachments?.length ? await outboundFiles(rt, context.conversationId, message) : undefined;
      if (files?.tooLarge.length) text += `\n${toMrkdwn(skippedNote(files.tooLarge.map((f) => ({ filename: f.filename, size: f.size, reason: 'too_large' as const })), this.settings.maxFileBytes))}`;
      const res = await web.chat.postMessage({
        channel: reference.channel,
        text,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(message.choices?.length ? { blocks: choiceBlocks(message.text, message.choices, message.form ? [reviewButton()] : []) as never } : {}),
        ...(message.declareMajorIncident ? { blocks: declareBlocks(message.text, message.declareMajorIncident) as never } : {}),
        unfurl_links: false,
      });
      // The summary's values wait in the database for the "Review & edit" click (on any instance).
      // (Not fatal: a retry would post the question twice; without it the button answers "no longer editable".)
      if (message.form && res.ts) await rt.host.state.set(formKey(reference.channel, res.ts), message.form as never).catch((err: unknown) => rt.logger.warn({ err }, 'could not keep the summary form'));
      // Files follow their text into the same place (a retry after a failed upload re-sends both).
      if (files?.ready.length) await uploadToSlack(rt, reference.channel, threadTs, files.ready);
      health.cleared(reference.channel);
      return { externalId: res.ts };
    } catch (err) {
      throw toSendError(err, reference.channel, health);
    }
  }

  async update(stored: ConversationReference, externalId: string, message: OutboundMessage): Promise<SendResult> {
    const { web, health } = this.started();
    const reference = parseSlackReference(stored);
    try {
      if (isCardMessage(reference, message)) {
        const rendered = await this.renderCard(message);
        await web.chat.update({ channel: reference.channel, ts: externalId, text: rendered.text, attachments: rendered.attachments as never });
      } else {
        await web.chat.update({ channel: reference.channel, ts: externalId, text: toMrkdwn(message.text) });
      }
      health.cleared(reference.channel);
      return { externalId };
    } catch (err) {
      throw toSendError(err, reference.channel, health);
    }
  }

  async health(): Promise<ChannelHealth> {
    if (!this.health_) return { ok: false, detail: 'not started' };
    if (!this.health_.ok) return { ok: false, detail: this.health_.detail };
    return { ok: true, detail: this.settings.socketMode ? 'socket mode' : 'http mode' };
  }

  private async postCard(reference: SlackReference, message: OutboundMessage, _context: SendContext): Promise<SendResult> {
    const { web, rt, health } = this.started();
    const rendered = await this.renderCard(message);
    const res = await web.chat.postMessage({
      channel: reference.channel,
      text: rendered.text,
      attachments: rendered.attachments as never,
      metadata: { event_type: CARD_METADATA, event_payload: { incident_id: reference.incidentId ?? '', number: message.incidentNumber ?? '' } },
      unfurl_links: false,
    });
    health.cleared(reference.channel);
    if (res.ts) {
      // If recording fails the card is still found by its message metadata; the post itself must not be retried.
      await rt.directory.rememberCard(reference.channel, res.ts, { number: message.incidentNumber ?? '', incidentId: reference.incidentId ?? '' }).catch((err: unknown) => rt.logger.warn({ err }, 'could not record the card'));
    }
    return { externalId: res.ts };
  }

  /** The card from the incident as it is now; the queued fallback text if it cannot be read. */
  private async renderCard(message: OutboundMessage): Promise<{ text: string; attachments?: unknown[] }> {
    const incident = message.incidentNumber ? await this.started().rt.host.incidents.get(message.incidentNumber) : undefined;
    if (!incident) return { text: toMrkdwn(message.text) };
    return cardMessage(incident, { incidentUrl: this.settings.incidentUrl });
  }

  private started() {
    if (!this.web || !this.rt || !this.health_) throw new Error('the Slack channel is not started');
    return { web: this.web, rt: this.rt, health: this.health_ };
  }
}

/** The Slack channel when SLACK_BOT_TOKEN is set; throws on invalid Slack settings. */
export function slackFromEnv(env: Record<string, string | undefined>): SlackAdapter | undefined {
  if (!env.SLACK_BOT_TOKEN) return undefined;
  return new SlackAdapter(parseSlackSettings(env));
}

export type { SlackSettings };

/**
 * Socket Mode: the receiver's client opens its connection with `apps.connections.open`; pointing its Web API
 * client at SLACK_API_URL (the documented `installerOptions.clientOptions`) makes proxies and the test emulator
 * work in this mode as in HTTP mode.
 */
function socketReceiver(s: SlackSettings, logger: Logger): SocketModeReceiver {
  return new SocketModeReceiver({
    appToken: s.appToken!,
    logger: boltLogger(logger),
    installerOptions: { clientOptions: { slackApiUrl: s.apiUrl } },
  });
}

/** Bolt and the Web API log through our pino logger. */
function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack-sdk' });
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => child.debug(m.map(String).join(' ')), // the SDK's info is chatty
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => child.error(m.map(String).join(' ')),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
