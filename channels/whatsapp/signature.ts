import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Meta signs every webhook POST: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, app secret>`.
 * Checked over the bytes as received, before any parsing (a re-serialised JSON would not match).
 */
export function validSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The header value Meta would send for `rawBody` (tests and tools sign with it). */
export function signatureOf(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Constant-time string comparison (the verify token of the GET handshake). */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  // Hashing first makes both sides equally long, so the comparison leaks neither content nor length.
  const ha = createHmac('sha256', 'frontline').update(a).digest();
  const hb = createHmac('sha256', 'frontline').update(b).digest();
  return timingSafeEqual(ha, hb);
}
