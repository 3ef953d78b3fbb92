import { Activity } from '@microsoft/agents-activity';
import { ConnectorClient, HttpError } from '@microsoft/agents-hosting';
import type { Logger } from 'pino';
import { ChannelSendError, type ChannelHost, type JsonValue } from '../types.js';
import type { ConnectorTokens } from './auth.js';
import { SendPacer } from './pace.js';
import type { TeamsReference } from './reference.js';

/**
 * Calls to the Bot Connector (the `serviceUrl` of a stored reference) through the SDK's ConnectorClient, and
 * the bookkeeping of conversations the bot can no longer reach: a 403 BotNotInConversationRoster / 404, or an
 * uninstall, marks the reference dead in `host.state` (shared by every instance) so `/readyz` names it and
 * nothing more is attempted until the app is added again.
 */
const DEAD_KEY = 'dead-conversations';
/** Waited out in place; longer waits are left to the outbox's schedule. */
const MAX_WAIT_MS = 2_000;
type DeadMap = Record<string, string>;

export class TeamsConnector {
  constructor(
    private readonly host: ChannelHost,
    private readonly tokens: ConnectorTokens,
    private readonly logger: Logger,
  ) {}

  async client(serviceUrl: string): Promise<ConnectorClient> {
    return ConnectorClient.createClientWithToken(serviceUrl, await this.tokens.token());
  }

  private readonly pacer = new SendPacer();

  /** Waits for a free slot in the conversation's rate windows; a wait above MAX_WAIT_MS goes back to the outbox. */
  private async pace(ref: TeamsReference): Promise<void> {
    const key = ref.conversationId; // Teams counts per thread: each reply chain of a channel has its own limits
    for (;;) {
      const wait = this.pacer.delay(key);
      if (wait === 0) return this.pacer.record(key);
      if (wait > MAX_WAIT_MS) throw new ChannelSendError('Teams: pacing sends below the conversation rate limit', { retryable: true, retryAfterMs: wait });
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  async send(ref: TeamsReference, activity: Record<string, unknown>): Promise<string | undefined> {
    await this.pace(ref);
    const client = await this.client(ref.serviceUrl);
    const res = await client.sendToConversation(ref.conversationId, toActivity(ref, activity));
    return res?.id;
  }

  async update(ref: TeamsReference, activityId: string, activity: Record<string, unknown>): Promise<void> {
    await this.pace(ref);
    const client = await this.client(ref.serviceUrl);
    await client.updateActivity(ref.conversationId, activityId, toActivity(ref, { ...activity, id: activityId }));
  }

  /** Best effort: the typing indicator while the intake works (a failure must not hold the reply up). */
  typing(ref: TeamsReference): void {
    if (this.pacer.delay(ref.conversationId) > 0) return; // the budget is for messages
    this.send(ref, { type: 'typing' }).catch((err: unknown) => this.logger.debug({ err }, 'Teams: typing indicator failed'));
  }

  /** The member's profile as the roster knows it (email/UPN), or undefined when the lookup is not possible. */
  async member(ref: TeamsReference, userId: string): Promise<{ email?: string; name?: string } | undefined> {
    try {
      const client = await this.client(ref.serviceUrl);
      const conversationId = ref.conversationId.split(';')[0]!;
      const m = (await client.getConversationMember(userId, conversationId)) as { email?: string; userPrincipalName?: string; name?: string } | undefined;
      const email = m?.email || m?.userPrincipalName;
      return { ...(email ? { email } : {}), ...(m?.name ? { name: m.name } : {}) };
    } catch (err) {
      this.logger.debug({ err }, 'Teams: member lookup failed; continuing without email');
      return undefined;
    }
  }

  /** A 1:1 chat with a user (for the "Report as incident" message action); returns its conversation id. */
  async openPersonal(serviceUrl: string, input: { botId: string; userId: string; tenantId?: string }): Promise<string> {
    const client = await this.client(serviceUrl);
    const res = await client.createConversation({
      isGroup: false,
      bot: { id: input.botId, name: '' },
      members: [{ id: input.userId, name: '' }],
      ...(input.tenantId ? { tenantId: input.tenantId, channelData: { tenant: { id: input.tenantId } } } : {}),
    } as never);
    if (!res?.id) throw new Error('createConversation returned no id');
    return res.id;
  }

  async dead(): Promise<DeadMap> {
    return (await this.host.state.get<DeadMap>(DEAD_KEY)) ?? {};
  }

  async isDead(conversationId: string): Promise<boolean> {
    return conversationId.split(';')[0]! in (await this.dead());
  }

  async markDead(conversationId: string, reason: string): Promise<void> {
    const key = conversationId.split(';')[0]!; // a channel's threads die with the channel
    const dead = await this.dead();
    if (dead[key] === reason) return;
    this.logger.warn({ conversationId: key, reason }, 'Teams: conversation unreachable');
    await this.host.state.set(DEAD_KEY, { ...dead, [key]: reason } as JsonValue);
  }

  async markAlive(conversationId: string): Promise<void> {
    const key = conversationId.split(';')[0]!;
    const dead = await this.dead();
    if (!(key in dead)) return;
    const { [key]: _gone, ...rest } = dead;
    await this.host.state.set(DEAD_KEY, rest as JsonValue);
  }

  /** Maps a connector failure to the outbox's retry contract (and marks unreachable conversations). */
  async toSendError(err: unknown, ref: TeamsReference): Promise<ChannelSendError> {
    if (err instanceof ChannelSendError) return err;
    if (err instanceof HttpError || (err as { status?: unknown })?.status) {
      const e = err as HttpError;
      const status = e.status;
      const code = errorCode(e.response?.data);
      if (status === 429) return new ChannelSendError('Teams: rate limited', { retryable: true, retryAfterMs: retryAfterMs(e.response?.headers), cause: err });
      if (status === 403 || status === 404) {
        await this.markDead(ref.conversationId, `${status} ${code ?? (status === 404 ? 'conversation not found' : 'forbidden')}`).catch(() => {});
        return new ChannelSendError(`Teams: ${status} ${code ?? ''}`.trim(), { retryable: false, unreachable: true, cause: err });
      }
      if (status === 401) return new ChannelSendError('Teams: the connector refused the bot token (check TEAMS_APP_ID/TEAMS_APP_PASSWORD)', { retryable: false, cause: err });
      return new ChannelSendError(`Teams HTTP ${status}${code ? ` ${code}` : ''}`, { retryable: status >= 500 || status === 408, cause: err });
    }
    return new ChannelSendError(err instanceof Error ? err.message : String(err), { retryable: true, cause: err });
  }
}

function toActivity(ref: TeamsReference, activity: Record<string, unknown>): Activity {
  return Activity.fromObject({
    channelId: 'msteams',
    serviceUrl: ref.serviceUrl,
    conversation: { id: ref.conversationId, ...(ref.tenantId ? { tenantId: ref.tenantId } : {}) },
    ...(ref.botId ? { from: { id: ref.botId } } : {}),
    ...activity,
  });
}

function errorCode(data: unknown): string | undefined {
  const d = data as { error?: { code?: unknown } } | undefined;
  return typeof d?.error?.code === 'string' ? d.error.code : undefined;
}

function retryAfterMs(headers: unknown): number | undefined {
  const h = headers as { get?: (n: string) => string | null } | undefined;
  const raw = h?.get?.('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
