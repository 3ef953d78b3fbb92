import DataLoader from 'dataloader';
import type { Tx } from './database.js';

/**
 * Group commit inside one transaction. When the intake handles a batch (e.g. fifty mails of a fetch), each
 * message runs its own flow concurrently in ONE transaction; the statements every flow issues (record the event,
 * store the message, queue a reply, save the dialog state, file an incident …) go through a loader bound to that
 * transaction, and loads issued in the same tick become one multi-row statement. A single message is a batch of
 * one: same SQL, same effects. Correctness never depends on the grouping, only the statement count does.
 */
type Batch<K, V> = (tx: Tx, keys: readonly K[]) => Promise<(V | Error)[]>;

const loaders = new WeakMap<object, Map<Batch<never, unknown>, DataLoader<unknown, unknown>>>();

/** Rows per statement: large enough to amortise a round trip, small enough for a modest statement. */
const MAX_BATCH = 200;

export function coalesced<K, V>(tx: Tx, batch: Batch<K, V>): DataLoader<K, V> {
  let own = loaders.get(tx);
  if (!own) loaders.set(tx, (own = new Map()));
  let loader = own.get(batch as Batch<never, unknown>) as DataLoader<K, V> | undefined;
  if (!loader) {
    loader = new DataLoader<K, V>((keys) => batch(tx, keys), { cache: false, maxBatchSize: MAX_BATCH });
    own.set(batch as Batch<never, unknown>, loader as DataLoader<unknown, unknown>);
  }
  return loader;
}

/** Rows for `jsonb_to_recordset($1::jsonb)`: one parameter whatever the row count (PGlite and PostgreSQL alike). */
export const asJson = (rows: readonly object[]): string => JSON.stringify(rows);

/**
 * Runs `run` over runs of keys in which `keyOf` is unique (a multi-row upsert may not touch one row twice),
 * keeping the given order: [a, b, a] → run([a, b]) then run([a]).
 */
export async function distinctRuns<K, V>(keys: readonly K[], keyOf: (k: K) => string, run: (part: K[]) => Promise<V[]>): Promise<V[]> {
  const out: V[] = [];
  let part: K[] = [];
  let seen = new Set<string>();
  for (const key of keys) {
    const id = keyOf(key);
    if (seen.has(id)) {
      out.push(...(await run(part)));
      part = [];
      seen = new Set();
    }
    seen.add(id);
    part.push(key);
  }
  if (part.length) out.push(...(await run(part)));
  return out;
}
