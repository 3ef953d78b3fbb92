import type { Database } from '../../db/database.js';
import { expandQuery, Vocabulary } from '../query.js';
import { type KbRanker, type KbSearchHit, type KbSearchOptions, kbVersion } from '../ranker.js';
import { FOLD_FROM, FOLD_TO, KB_LANGUAGES, PG_TS_CONFIG } from '../text.js';

/** BM25 parameters (Robertson/Lucene defaults) and field weights: a title hit counts as 3 body hits. */
const K1 = 1.2;
const B = 0.75;
const FIELD_WEIGHT = { A: 3, B: 2, D: 1 } as const;

const LANG_VALUES = KB_LANGUAGES.map((l) => `('${l}', '${PG_TS_CONFIG[l]}'::regconfig)`).join(', ');

/**
 * BM25 over PostgreSQL full-text search. PostgreSQL stems each article with its language's Snowball
 * configuration (english, swedish, spanish, portuguese: present in PostgreSQL and PGlite), and the query with
 * every searched language's configuration; ts_rank/ts_rank_cd have no inverse document frequency, so the BM25
 * sum is computed in SQL from the tsvectors. Vectors are built per query: fine for thousands of articles; a
 * stored, GIN-indexed tsvector column would be the next step for much larger KBs.
 */
const SEARCH_SQL = `
WITH langs AS (
  SELECT code, cfg FROM (VALUES ${LANG_VALUES}) AS l(code, cfg)
  WHERE $1::text IS NULL OR code = $1
),
q AS (
  SELECT l.code AS language, lex AS lexeme, max(t.weight) AS weight
  FROM langs l
  CROSS JOIN unnest($3::text[], $4::float8[], $5::text[]) AS t(term, weight, only_lang)
  CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector(l.cfg, t.term))) AS lex
  WHERE t.only_lang = '' OR t.only_lang = l.code
  GROUP BY 1, 2
),
docs AS (
  SELECT a.id, a.title, a.language,
    setweight(to_tsvector(l.cfg, translate(a.title, $6, $7)), 'A') ||
    setweight(to_tsvector(l.cfg, translate(array_to_string(a.tags, ' '), $6, $7)), 'B') ||
    to_tsvector(l.cfg, translate(a.body, $6, $7)) AS v
  FROM kb_article a JOIN langs l ON l.code = a.language
  WHERE $2::text IS NULL OR a.category = $2
),
doc_terms AS (
  SELECT d.id, d.language, u.lexeme, u.weights, cardinality(u.positions) AS occurrences
  FROM docs d CROSS JOIN LATERAL unnest(d.v) AS u
),
doc_len AS (
  SELECT id, language, sum(occurrences)::float8 AS dl FROM doc_terms GROUP BY 1, 2
),
stats AS (
  SELECT language, count(*)::float8 AS n, avg(dl) AS avgdl FROM doc_len GROUP BY 1
),
hits AS (
  SELECT t.id, t.language, q.lexeme, q.weight,
    (SELECT sum(CASE w WHEN 'A' THEN ${FIELD_WEIGHT.A} WHEN 'B' THEN ${FIELD_WEIGHT.B} ELSE ${FIELD_WEIGHT.D} END)
       FROM unnest(t.weights) AS w)::float8 AS tf
  FROM doc_terms t JOIN q ON q.language = t.language AND q.lexeme = t.lexeme
),
df AS (
  SELECT language, lexeme, count(*)::float8 AS df FROM hits GROUP BY 1, 2
)
SELECT h.id, d.title,
  sum(h.weight * ln(1 + (s.n - df.df + 0.5) / (df.df + 0.5))
      * h.tf * ${K1 + 1} / (h.tf + ${K1} * (1 - ${B} + ${B} * dl.dl / s.avgdl)))::float8 AS score
FROM hits h
JOIN df ON df.language = h.language AND df.lexeme = h.lexeme
JOIN stats s ON s.language = h.language
JOIN doc_len dl ON dl.id = h.id
JOIN docs d ON d.id = h.id
GROUP BY h.id, d.title
ORDER BY score DESC, h.id
LIMIT $8`;

/** Every word of the KB (folded, unstemmed) with its document frequency, for typo correction. */
const VOCABULARY_SQL = `
SELECT word, ndoc FROM ts_stat($$
  SELECT to_tsvector('simple', translate(title || ' ' || array_to_string(tags, ' ') || ' ' || body,
    '${FOLD_FROM}', '${FOLD_TO}')) FROM kb_article
$$)`;

export class PgRanker implements KbRanker {
  readonly name = 'pg';
  private vocabulary: { version: string; vocab: Vocabulary } | undefined;

  constructor(private readonly db: Database) {}

  async search(query: string, opts: KbSearchOptions): Promise<KbSearchHit[]> {
    const terms = expandQuery(query, await this.currentVocabulary());
    if (!terms.length || opts.top <= 0) return [];
    const { rows } = await this.db.pool.query<KbSearchHit>(SEARCH_SQL, [
      opts.language ?? null,
      opts.category ?? null,
      terms.map((t) => t.term),
      terms.map((t) => t.weight),
      terms.map((t) => t.language ?? ''),
      FOLD_FROM,
      FOLD_TO,
      opts.top,
    ]);
    return rows.map((r) => ({ id: r.id, title: r.title, score: Number(r.score) }));
  }

  private async currentVocabulary(): Promise<Vocabulary> {
    const version = await kbVersion(this.db);
    if (this.vocabulary?.version !== version) {
      const { rows } = await this.db.pool.query<{ word: string; ndoc: number }>(VOCABULARY_SQL);
      this.vocabulary = { version, vocab: new Vocabulary(new Map(rows.map((r) => [r.word, Number(r.ndoc)]))) };
    }
    return this.vocabulary.vocab;
  }
}
