/**
 * Who a web chat visitor is, when the page embedding the widget knows: `data-user` on the widget tag carries
 * `<base64url(JSON {name?, email?, exp?})>.<hex HMAC-SHA256 of that base64url text>` made with
 * WEBCHAT_IDENTITY_SECRET on the host page's server. A valid signature makes the name and email trustworthy
 * (the email links the person across channels); without one, a name or email the visitor typed is shown to
 * agents as given, never linked.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { FrontlineError } from '../../src/errors.js';

const claimsSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  email: z.email().max(200).optional(),
  /** Seconds since the epoch; a signed identity should be short-lived. */
  exp: z.number().int().optional(),
});

export type VisitorIdentity = { displayName?: string; email?: string; emailVerified: boolean };

export function signVisitor(claims: z.infer<typeof claimsSchema>, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('hex')}`;
}

/** The verified identity of a signed `user`, or a 400 saying why it is refused. */
export function verifyVisitor(signed: string, secret: string | undefined, now = Date.now()): VisitorIdentity {
  if (!secret) throw new FrontlineError('BAD_REQUEST', 'signed users are not enabled (WEBCHAT_IDENTITY_SECRET is not set)');
  const [payload = '', signature = ''] = signed.split('.');
  const expected = createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new FrontlineError('BAD_REQUEST', 'user: bad signature');
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new FrontlineError('BAD_REQUEST', 'user: the signed payload is not {name?, email?, exp?}');
  }
  if (claims.exp !== undefined && claims.exp * 1000 < now) throw new FrontlineError('BAD_REQUEST', 'user: the signed identity has expired');
  return { ...(claims.name ? { displayName: claims.name } : {}), ...(claims.email ? { email: claims.email.toLowerCase() } : {}), emailVerified: Boolean(claims.email) };
}
