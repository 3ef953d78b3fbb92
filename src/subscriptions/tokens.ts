import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed links for email double opt-in and one-click unsubscribe: `<base64url payload>.<hex HMAC>`. The
 * payload names the subscription and the action, so a confirm link cannot be replayed as another action and a
 * forged id is refused. Confirm links expire; unsubscribe links never do (a person must always be able to stop).
 */
export type LinkAction = 'confirm' | 'unsubscribe';

interface Payload {
  s: string;
  a: LinkAction;
  /** Unix seconds; absent = never expires. */
  exp?: number;
}

const sign = (secret: string, body: string) => createHmac('sha256', `subscription-links:${secret}`).update(body).digest('hex');

export function signLink(secret: string, subscriptionId: string, action: LinkAction, ttlSeconds?: number, now = Date.now()): string {
  const payload: Payload = { s: subscriptionId, a: action, ...(ttlSeconds ? { exp: Math.floor(now / 1000) + ttlSeconds } : {}) };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** The subscription id, or why the link is refused. */
export function verifyLink(secret: string, token: string, action: LinkAction, now = Date.now()): { ok: true; subscriptionId: string } | { ok: false; reason: string } {
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return { ok: false, reason: 'malformed link' };
  const expected = Buffer.from(sign(secret, body), 'hex');
  const given = Buffer.from(mac, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
  } catch {
    return { ok: false, reason: 'malformed link' };
  }
  if (payload.a !== action || typeof payload.s !== 'string') return { ok: false, reason: 'link is for another action' };
  if (payload.exp !== undefined && payload.exp * 1000 < now) return { ok: false, reason: 'link expired' };
  return { ok: true, subscriptionId: payload.s };
}
