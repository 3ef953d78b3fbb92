import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { ChannelSendError } from '../types.js';

/**
 * Slack errors that no retry can fix: the token or the channel needs a human. They dead-letter the outbox
 * row (kept in the database; `POST /api/v1/admin/outbox/:id/retry` redelivers it after the fix), show in
 * `/readyz`, and are logged once per problem instead of on every message.
 */
const NEEDS_A_HUMAN = new Set([
  'invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'team_access_not_granted',
  'missing_scope', 'channel_not_found', 'is_archived', 'not_in_channel', 'restricted_action',
]);
const AUTH_PROBLEMS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'team_access_not_granted']);

/** Problems found while talking to Slack, as `/readyz` reports them. */
export class SlackHealth {
  private readonly problems = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  /** Records a problem; logs it only the first time it appears. */
  report(key: string, detail: string): void {
    if (this.problems.get(key) === detail) return;
    this.problems.set(key, detail);
    this.logger.error({ problem: key }, `Slack: ${detail}`);
  }

  /** A call to `channel` succeeded: its channel problem (and any auth problem) is gone. */
  cleared(channel?: string): void {
    for (const key of [...this.problems.keys()]) {
      if (key === 'auth' || (channel && key === `channel:${channel}`)) {
        this.problems.delete(key);
        this.logger.info({ problem: key }, 'Slack problem resolved');
      }
    }
  }

  get ok(): boolean {
    return this.problems.size === 0;
  }

  get detail(): string | undefined {
    return this.problems.size ? [...this.problems.values()].join('; ') : undefined;
  }
}

/** The Slack error code of a Web API failure (`ratelimited`, `channel_not_found`…), if any. */
export function slackErrorCode(err: unknown): string | undefined {
  if (err instanceof webApi.WebAPIRateLimitedError) return 'ratelimited';
  if (err instanceof webApi.WebAPIPlatformError) return String(err.data.error);
  return undefined;
}

/** Maps a Web API failure to the outbox's retry contract and records configuration problems. */
export function toSendError(err: unknown, channel: string, health: SlackHealth): ChannelSendError {
  if (err instanceof ChannelSendError) return err;
  if (err instanceof webApi.WebAPIRateLimitedError) {
    return new ChannelSendError('Slack rate limit', { retryable: true, retryAfterMs: Math.max(1, err.retryAfter) * 1000, cause: err });
  }
  const code = slackErrorCode(err);
  if (code && NEEDS_A_HUMAN.has(code)) {
    if (AUTH_PROBLEMS.has(code)) health.report('auth', `the bot token is not accepted (${code}); set a valid SLACK_BOT_TOKEN`);
    else health.report(`channel:${channel}`, `cannot post to ${channel} (${code}); invite the app or fix the channel id`);
    return new ChannelSendError(`Slack: ${code}`, { retryable: false, cause: err });
  }
  if (err instanceof webApi.WebAPIHTTPError) {
    // 5xx and proxies' 502/504 are transient; other HTTP statuses will not heal by themselves.
    return new ChannelSendError(`Slack HTTP ${err.statusCode}`, { retryable: err.statusCode >= 500, cause: err });
  }
  if (code) return new ChannelSendError(`Slack: ${code}`, { retryable: code === 'internal_error' || code === 'fatal_error' || code === 'service_unavailable', cause: err });
  // Network failures (WebAPIRequestError) and anything unexpected: try again later.
  return new ChannelSendError(err instanceof Error ? err.message : String(err), { retryable: true, cause: err });
}

/** Unique-key violations mean "already done" for idempotent agent actions (Prisma P2002, PostgreSQL 23505). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.code === 'P2002' || e.code === '23505') return true;
  if (typeof e.message === 'string' && /unique constraint/i.test(e.message)) return true;
  return e.cause ? isUniqueViolation(e.cause) : false;
}
