import type { Logger } from 'pino';
import { ChannelSendError } from '../types.js';
import { GraphError } from './graph-client.js';

/** Graph error codes that mean "too much, later": throughput, spam-rate and app-level rate limits. */
const RATE_LIMITED = new Set([4, 80007, 130429, 131056]);
/** The access token expired or was revoked: no retry helps until an operator sets a new one. */
export const TOKEN_INVALID = 190;
/** More than 24 hours since the reporter last wrote: only a template may be sent. */
export const REENGAGEMENT_NEEDED = 131047;

/** A back-off when Graph throttles without a Retry-After (its pair-rate limit is about one message per 6 s). */
const RATE_LIMIT_DELAY_MS = 10_000;

/** Problems found while talking to Graph, as `/readyz` reports them; each logged once. */
export class WhatsAppHealth {
  private problem: string | undefined;

  constructor(private readonly logger: Logger) {}

  report(detail: string): void {
    if (this.problem === detail) return;
    this.problem = detail;
    this.logger.error(`WhatsApp: ${detail}`);
  }

  cleared(): void {
    if (!this.problem) return;
    this.problem = undefined;
    this.logger.info('WhatsApp problem resolved');
  }

  get ok(): boolean {
    return this.problem === undefined;
  }

  get detail(): string | undefined {
    return this.problem;
  }
}

/** Maps a Graph failure to the outbox's retry contract (131047 is handled by the caller: the template path). */
export function toSendError(err: unknown, health: WhatsAppHealth): ChannelSendError {
  if (err instanceof ChannelSendError) return err;
  if (err instanceof GraphError) {
    if (err.code === TOKEN_INVALID) {
      health.report(`the access token is not accepted (${err.message}); set a valid WHATSAPP_ACCESS_TOKEN`);
      return new ChannelSendError(`WhatsApp ${err.code}: ${err.message}`, { retryable: false, cause: err });
    }
    if (err.status === 429 || (err.code !== undefined && RATE_LIMITED.has(err.code))) {
      return new ChannelSendError(`WhatsApp rate limit (${err.code ?? err.status}): ${err.message}`, { retryable: true, retryAfterMs: err.retryAfterMs ?? RATE_LIMIT_DELAY_MS, cause: err });
    }
    if (err.status >= 500) return new ChannelSendError(`WhatsApp HTTP ${err.status}: ${err.message}`, { retryable: true, retryAfterMs: err.retryAfterMs, cause: err });
    // Everything else (bad recipient, unapproved template, invalid parameter…) dead-letters with Meta's words.
    return new ChannelSendError(`WhatsApp ${err.code ?? err.status}: ${err.message}`, { retryable: false, cause: err });
  }
  // Network failures and timeouts: try again later.
  return new ChannelSendError(err instanceof Error ? err.message : String(err), { retryable: true, cause: err });
}
