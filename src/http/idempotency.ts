import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';

/**
 * HTTP `Idempotency-Key` (IETF draft-ietf-httpapi-idempotency-key-header): a retry with the same key and the
 * same body replays the first response; the same key with another body is refused with 422, because taking it
 * for the first request would silently drop the second. Keys are kept as long as inbound events are (see the
 * housekeeping job), i.e. far longer than any client retries.
 */
export const IDEMPOTENCY_KEY_RULE = /^[\w-]{8,100}$/;

/** The request's key, validated; undefined when the client sent none. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_RULE.test(key)) throw new FrontlineError('BAD_REQUEST', 'Idempotency-Key must be 8-100 letters, digits, - or _');
  return key;
}

/** A digest of the (already parsed and validated) body: key order does not matter, values do. */
export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}

export function reusedKey(): FrontlineError {
  return new FrontlineError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used for a different request; use a new key for a new request');
}

/** Header a replayed response carries, so a client can tell a replay from a first answer. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What an earlier request under the same key left: its fingerprint and response (null while unrecorded). */
export interface EarlierRequest {
  fingerprint: string | null;
  response: { status: number; body: unknown } | null;
}

/**
 * Claims `key` for this request inside the caller's transaction (the intake's event table, channel `api`), so
 * the claim commits with the request's effects or not at all. A concurrent retry waits on the claim and then
 * sees the committed first request. Returns undefined when the key is fresh.
 */
export async function claimIdempotencyKey(tx: Tx, key: string, fingerprint: string): Promise<EarlierRequest | undefined> {
  const fresh = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO inbound_event (id, channel, external_id, received_at, fingerprint)
    VALUES (gen_random_uuid(), 'api', ${key}, now(), ${fingerprint})
    ON CONFLICT (channel, external_id) DO NOTHING RETURNING id::text`;
  if (fresh.length > 0) return undefined;
  const rows = await tx.$queryRaw<EarlierRequest[]>`SELECT fingerprint, response FROM inbound_event WHERE channel = 'api' AND external_id = ${key}`;
  return rows[0] ?? { fingerprint: null, response: null };
}

/** Keeps the response of the request that claimed `key`, for replays. */
export async function storeIdempotentResponse(tx: Tx, key: string, response: { status: number; body: unknown }): Promise<void> {
  await tx.$executeRaw`UPDATE inbound_event SET response = ${JSON.stringify(response)}::jsonb WHERE channel = 'api' AND external_id = ${key}`;
}
