import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { RequestHandler } from 'express';

/**
 * Limits for the public web chat API, per instance. Reads are never counted: a widget polls its messages every
 * second or two, and an office behind one NAT address holds many widgets. Writes into a conversation are
 * counted per conversation (its id in the path; a forged id is refused by the token check at no cost to real
 * reporters); starting conversations, the one thing not bound to a conversation, is counted per client address.
 */
export function webchatRateLimits(perMinute: number): RequestHandler[] {
  if (perMinute <= 0) return [];
  const refuse: RequestHandler = (_req, res) => {
    res.status(429).json({ error: { code: 'RATE_LIMITED', message: 'Too many messages at once. Please wait a moment and try again.' } });
  };
  const common = { windowMs: 60_000, limit: perMinute, standardHeaders: 'draft-7' as const, legacyHeaders: false, handler: refuse };
  const conversationOf = (path: string) => /^\/conversations\/([^/]+)\//.exec(path)?.[1];
  return [
    rateLimit({
      ...common,
      skip: (req) => req.method !== 'POST' || req.path !== '/conversations',
      keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? '')}`,
    }),
    rateLimit({
      ...common,
      skip: (req) => req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || conversationOf(req.path) === undefined,
      keyGenerator: (req) => `conversation:${conversationOf(req.path)}`,
    }),
  ];
}
