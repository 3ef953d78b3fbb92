import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

export interface SubscribeLimits {
  /** Form posts per client address and minute (0: no limit). */
  perMinute: number;
  /** Posts naming the same email address per hour (0: no limit). */
  perAddressPerHour: number;
}

/**
 * Limits for the public subscribe form, per instance, with the same limiter (express-rate-limit, memory store)
 * as console sign-in and the web chat. Each accepted post may send a confirmation mail to whatever address is
 * typed in, so the form is a way to mail-bomb a stranger: the per-address hourly cap bounds what one victim
 * receives even from many client addresses, the per-client cap bounds one sender spraying many addresses.
 * The address limiter must run after the form body is parsed; requests it cannot key (no email) pass through
 * to the route's own validation.
 */
export function subscribeRateLimits(limits: SubscribeLimits, refuse: (req: Request, res: Response) => void): RequestHandler[] {
  const common = { standardHeaders: 'draft-7' as const, legacyHeaders: false };
  const handlers: RequestHandler[] = [];
  if (limits.perMinute > 0) {
    handlers.push(rateLimit({ ...common, windowMs: 60_000, limit: limits.perMinute, keyGenerator: (req) => `subscribe-ip:${ipKeyGenerator(req.ip ?? '')}`, handler: refuse }));
  }
  if (limits.perAddressPerHour > 0) {
    handlers.push(rateLimit({
      ...common,
      windowMs: 3_600_000,
      limit: limits.perAddressPerHour,
      skip: (req) => subscribedAddress(req) === undefined,
      keyGenerator: (req) => `subscribe-address:${subscribedAddress(req) ?? ''}`,
      handler: refuse,
    }));
  }
  return handlers;
}

/** The address as the route will store it (trimmed; case folded so "Dana@" and "dana@" share one budget). */
function subscribedAddress(req: Request): string | undefined {
  const email = (req.body as Record<string, unknown> | undefined)?.email;
  const key = typeof email === 'string' ? email.trim().toLowerCase() : '';
  return key === '' ? undefined : key;
}
