import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database, Tx } from '../db/database.js';
import type { KbRanker, KbSearchHit, KbSearchOptions } from '../kb/ranker.js';

/**
 * KB search from inside the intake transaction. The rankers query through `db.pool`; on the embedded database
 * that pool has ONE connection, which the open transaction holds, so a search would wait for itself. The
 * ranker is therefore given a database whose pool runs each query on the current transaction (tracked with
 * AsyncLocalStorage) and on the real pool otherwise; the ranker's cached index survives across calls.
 */
export type KbSearch = (tx: Tx, query: string, opts: KbSearchOptions) => Promise<KbSearchHit[]>;

export function createTxKbSearch(db: Database, makeRanker: (db: Database) => Promise<KbRanker>): KbSearch {
  const current = new AsyncLocalStorage<Tx>();
  const pool = {
    query: async (text: string, values?: unknown[]) => {
      const tx = current.getStore();
      if (!tx) return db.pool.query(text, values);
      return { rows: await tx.$queryRawUnsafe<unknown[]>(text, ...(values ?? [])) };
    },
  };
  const proxied = { ...db, pool: pool as unknown as Database['pool'] } as Database;
  const ranker = makeRanker(proxied);
  return async (tx, query, opts) => current.run(tx, async () => (await ranker).search(query, opts));
}
