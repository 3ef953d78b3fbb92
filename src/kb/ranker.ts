import type { Database } from '../db/database.js';
import { FrontlineError } from '../errors.js';

export interface KbSearchOptions {
  /** Only articles in this language (en, sv, es, pt); absent: every language. */
  language?: string;
  category?: string;
  top: number;
}

export interface KbSearchHit {
  id: string;
  title: string;
  /** Higher is better; comparable only within one result list. */
  score: number;
  /** Article category (network, account_access…), when the ranker knows it: the relevance gate compares it with triage. */
  category?: string | null;
  /**
   * How much of the query the article matched, for the relevance gate (src/kb/relevance.ts): the IDF of the
   * reporter's own words that it contains, of all their words, and of the rarest one matched. Optional: a ranker
   * that cannot say is gated on score margins alone.
   */
  evidence?: { matchedIdf: number; queryIdf: number; rarestIdf: number; matched: string[] };
}

/**
 * A knowledge-base search strategy. Implementations read `kb_article` themselves and must notice imports made
 * after they were created, so a hybrid/embedding ranker can be added beside these without touching callers.
 */
export interface KbRanker {
  readonly name: string;
  search(query: string, opts: KbSearchOptions): Promise<KbSearchHit[]>;
}

export const KB_RANKER_KINDS = ['pg', 'memory'] as const;
export type KbRankerKind = (typeof KB_RANKER_KINDS)[number];

/**
 * Default chosen by measurement (`npm run bench -- kb`, see bench/results/kb.json): both rankers share the
 * query expansion; the in-process engine ranks better and answers faster on the starter KB.
 */
export const DEFAULT_KB_RANKER: KbRankerKind = 'memory';

/** Reads `KB_RANKER=pg|memory` (unset: the default). The lead's config schema may replace this. */
export function kbRankerKindFromEnv(env: NodeJS.ProcessEnv = process.env): KbRankerKind {
  const value = env.KB_RANKER?.trim();
  if (!value) return DEFAULT_KB_RANKER;
  if ((KB_RANKER_KINDS as readonly string[]).includes(value)) return value as KbRankerKind;
  throw new FrontlineError('CONFIG_INVALID', `KB_RANKER must be one of ${KB_RANKER_KINDS.join(', ')}, got "${value}"`);
}

export async function createKbRanker(db: Database, kind: KbRankerKind = DEFAULT_KB_RANKER): Promise<KbRanker> {
  // Imported lazily so that choosing one engine does not load the other.
  if (kind === 'pg') return new (await import('./rankers/pg.js')).PgRanker(db);
  return new (await import('./rankers/memory.js')).MemoryRanker(db);
}

/**
 * A cheap fingerprint of the KB contents: rankers cache derived data (index, vocabulary) and rebuild it when
 * this changes, so an import through another process or instance is picked up on the next search.
 */
export async function kbVersion(db: Database): Promise<string> {
  const { rows } = await db.pool.query<{ n: number; m: Date | null }>(
    'SELECT count(*)::int AS n, max(updated_at) AS m FROM kb_article',
  );
  const row = rows[0];
  return `${row?.n ?? 0}:${row?.m?.getTime() ?? 0}`;
}
