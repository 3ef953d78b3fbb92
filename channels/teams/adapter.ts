import express, { type Request, type Response, Router } from 'express';
import type { ChannelAdapter, ChannelCapabilities, ChannelHealth, ChannelHost, ConversationReference, OutboundMessage, SendContext, SendResult } from '../types.js';
import { ChannelSendError } from '../types.js';
import { cardListener, isCard, isServiceDeskChannel, sendCardOrLine, updateCard } from './agent.js';
import { agentMessage } from './agent-actions.js';
import { ConnectorTokens, teamsActivityCheck, teamsTokenCheck } from './auth.js';
import { renderActivity } from './cards.js';
import { TeamsConnector } from './connector.js';
import { fileDownload, fileUrls } from './links.js';
import { activitySchema, intakeEdit, intakeMembership, intakeMessage, intakeMessageAction } from './intake.js';
import { decodeTeamsThreadKey, encodeTeamsThreadKey, parseTeamsReference, type TeamsReference } from './reference.js';
import type { TeamsRuntime } from './runtime.js';
import { parseTeamsSettings, type TeamsSettings } from './settings.js';
import { isStatusNotice, sendStatusCard } from './status-card.js';

export { TEAMS_SETTING_KEYS } from './settings.js';

/** Where the Azure Bot's messaging endpoint points: `https://<PUBLIC_URL host>/api/teams/messages`. */
export const TEAMS_MOUNT = '/api/teams';

/**
 * Microsoft Teams as an intake channel (personal chats, group chats, channel posts that @mention the bot, the
 * "Report as incident" message action) over the Bot Framework protocol. Inbound activities are validated with
 * the Agents SDK's JWT middleware and mapped by hand; outbound messages go to the stored reference's
 * serviceUrl with the SDK's ConnectorClient (proactive messaging: the outbox posts whenever it runs).
 */
export class TeamsAdapter implements ChannelAdapter {
  readonly name = 'teams';
  readonly capabilities: ChannelCapabilities = {
    buttons: true, // Adaptive Card Action.Submit
    threads: true, // a channel post's reply chain
    edit: true, // updateActivity
    attachments: true, // within TEAMS_MAX_ATTACHMENT_BYTES inbound; outbound as links
    maxTextLength: 10_000, // Teams refuses activities over ~28 KB; cards repeat the text
    markup: 'markdown',
  };

  private rt: TeamsRuntime | undefined;

  constructor(readonly settings: TeamsSettings, private readonly publicUrl?: string) {}

  async start(host: ChannelHost): Promise<void> {
    const logger = host.logger.child({ component: 'teams' });
    const tokens = new ConnectorTokens(this.settings);
    const rt: TeamsRuntime = (this.rt = { host, tokens, connector: new TeamsConnector(host, tokens, logger), settings: this.settings, logger, publicUrl: this.publicUrl });
    if (!this.settings.appId) logger.warn('Teams: no TEAMS_APP_ID, inbound requests are NOT authenticated (local development only)');
    const router = Router();
    router.get('/files/:conversationId/:attachmentId', (req, res, next) => void fileDownload(host)(req, res).catch(next));
    router.post('/messages', teamsTokenCheck(this.settings, logger), express.json({ limit: '1mb' }), teamsActivityCheck(this.settings, logger), (req, res) => void handle(rt, req, res));
    host.mount(TEAMS_MOUNT, router);
    if (this.settings.triageChannels.size || this.settings.restrictedChannel) host.onIncidentChange(cardListener(rt));
  }

  async stop(): Promise<void> {}

  encodeThreadKey(reference: ConversationReference): string {
    return encodeTeamsThreadKey(parseTeamsReference(reference));
  }

  decodeThreadKey(threadKey: string): Partial<ConversationReference> {
    return decodeTeamsThreadKey(threadKey);
  }

  async send(stored: ConversationReference, message: OutboundMessage, context: SendContext): Promise<SendResult> {
    const rt = this.started();
    const ref = parseTeamsReference(stored);
    // Removed or uninstalled: posting would only earn another 403. Adding the app again revives it.
    if (await rt.connector.isDead(ref.conversationId)) throw new ChannelSendError('Teams: the bot is no longer in this conversation', { retryable: false, unreachable: true });
    try {
      const urls = await this.fileUrls(ref, message, context.conversationId);
      const render = () => renderActivity(message, { publicUrl: rt.publicUrl, fileUrls: urls }) as never;
      const id = ref.card
        ? await sendCardOrLine(rt, ref, message, render)
        : isStatusNotice(ref, message) ? await sendStatusCard(rt, ref, message) : await rt.connector.send(ref, render());
      return id ? { externalId: id } : {};
    } catch (err) {
      throw await rt.connector.toSendError(err, ref);
    }
  }

  async update(stored: ConversationReference, externalId: string, message: OutboundMessage, context?: SendContext): Promise<SendResult> {
    const rt = this.started();
    const ref = parseTeamsReference(stored);
    try {
      if (isCard(ref, message)) await updateCard(rt, ref, externalId, message);
      else await rt.connector.update(ref, externalId, renderActivity(message, { publicUrl: rt.publicUrl, fileUrls: await this.fileUrls(ref, message, context?.conversationId) }) as never);
      return { externalId };
    } catch (err) {
      throw await rt.connector.toSendError(err, ref);
    }
  }

  /**
   * Conversations the bot was removed from are reported, not failed: one person uninstalling the app must not
   * take the instance out of the load balancer.
   */
  async health(): Promise<ChannelHealth> {
    if (!this.rt) return { ok: false, detail: 'not started' };
    const mode = this.settings.appId ? 'authenticated' : 'UNAUTHENTICATED (no TEAMS_APP_ID)';
    // Without a bot token nothing reaches Teams: the credentials are wrong (or the authority is unreachable).
    const tokenFailure = this.rt.tokens.lastFailure;
    if (tokenFailure) return { ok: false, detail: `cannot get a bot token: ${tokenFailure}` };
    const dead = Object.entries(await this.rt.connector.dead().catch(() => ({})));
    if (!dead.length) return { ok: true, detail: mode };
    const shown = dead.slice(0, 5).map(([id, reason]) => `${id} (${reason})`).join(', ');
    return { ok: true, detail: `${mode}; ${dead.length} conversation(s) unreachable: ${shown}${dead.length > 5 ? ', …' : ''}` };
  }

  /**
   * Signed links for the message's stored files. They live in the reporter's conversation: the one this message
   * goes to, or — for a line in a triage card's chain — the conversation the incident was reported from.
   */
  private async fileUrls(ref: TeamsReference, message: OutboundMessage, conversationId: string | undefined): Promise<Map<string, string>> {
    const rt = this.started();
    if (!message.attachments?.length) return new Map();
    let owner = conversationId;
    if (ref.card && message.incidentNumber) {
      const incident = await rt.host.incidents.get(message.incidentNumber);
      const match = incident?.originChannel ? await rt.host.conversations.findByIncidentNumber(incident.originChannel, Number(message.incidentNumber.replace(/\D/g, ''))) : undefined;
      owner = match?.conversationId;
    }
    return fileUrls(rt.host, rt.publicUrl, owner, message.attachments);
  }

  private started(): TeamsRuntime {
    if (!this.rt) throw new Error('the Teams channel is not started');
    return this.rt;
  }
}

/** One inbound activity; 200 once its effects are recorded, 500 (Teams retries) if they could not be. */
async function handle(rt: TeamsRuntime, req: Request, res: Response): Promise<void> {
  const parsed = activitySchema.safeParse(req.body);
  if (!parsed.success) {
    res.status(400).json({ error: { code: 'INVALID_ACTIVITY', message: 'not a Bot Framework activity' } });
    return;
  }
  const a = parsed.data;
  try {
    const channelId = a.channelData?.channel?.id ?? a.conversation.id.split(';')[0]!;
    if (a.type === 'message' && isServiceDeskChannel(rt, channelId)) {
      await agentMessage(rt, a);
    } else if (a.type === 'message') {
      await intakeMessage(rt, a);
    } else if ((a.type === 'messageUpdate' || a.type === 'messageDelete') && !isServiceDeskChannel(rt, channelId)) {
      await intakeEdit(rt, a);
    } else if (a.type === 'conversationUpdate' || a.type === 'installationUpdate') {
      await intakeMembership(rt, a);
    } else if (a.type === 'invoke' && a.name === 'composeExtension/submitAction') {
      res.status(200).json(await intakeMessageAction(rt, a));
      return;
    } else if (a.type === 'invoke') {
      res.status(200).json({}); // other invokes (card refresh, task fetch…) are not used by this app
      return;
    }
    res.status(200).json({});
  } catch (err) {
    rt.logger.error({ err, type: a.type, id: a.id }, 'Teams: activity failed');
    if (!res.headersSent) res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  }
}

/** The Teams channel when TEAMS_APP_ID (or TEAMS_ENABLED for local development) is set; throws on invalid settings. */
export function teamsFromEnv(env: Record<string, string | undefined>): TeamsAdapter | undefined {
  if (!env.TEAMS_APP_ID && !/^(true|1|yes)$/i.test(env.TEAMS_ENABLED ?? '')) return undefined;
  return new TeamsAdapter(parseTeamsSettings(env), env.PUBLIC_URL || undefined);
}

export type { TeamsSettings };
