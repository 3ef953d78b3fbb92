import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Web chat tokens: `<base64url(json)>.<base64url(hmac-sha256)>`, binding a browser to one conversation. They
 * live in the visitor's local storage so a reload reconnects; the server keeps nothing per visitor.
 */
export interface WebchatClaims {
  /** Conversation id. */
  c: string;
  /** Visitor id (the channel identity). */
  v: string;
  /** Expiry, seconds since epoch. */
  exp: number;
}

export function signToken(claims: WebchatClaims, secret: string): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(body, secret)}`;
}

export function verifyToken(token: string, secret: string, now = Date.now()): WebchatClaims | undefined {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(mac(body, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as WebchatClaims;
    if (typeof claims.c !== 'string' || typeof claims.v !== 'string' || typeof claims.exp !== 'number') return undefined;
    return claims.exp * 1000 > now ? claims : undefined;
  } catch {
    return undefined;
  }
}

const mac = (body: string, secret: string) => createHmac('sha256', secret).update(body).digest('base64url');
