import type { KbArticleInput } from '../article.js';
import MiniSearch, { type Query, type SearchOptions } from 'minisearch';
import { stemmer as englishStemmer } from '@orama/stemmers/english';
import { stemmer as portugueseStemmer } from '@orama/stemmers/portuguese';
import { stemmer as spanishStemmer } from '@orama/stemmers/spanish';
import { stemmer as swedishStemmer } from '@orama/stemmers/swedish';
import type { Database } from '../../db/database.js';
import { expandQuery, Vocabulary } from '../query.js';
import { type KbRanker, type KbSearchHit, type KbSearchOptions, kbVersion } from '../ranker.js';
import { isKbLanguage, KB_LANGUAGES, type KbLanguage, tokenize } from '../text.js';

/** Snowball stemmers (Orama's maintained port) per KB language. */
const STEMMERS: Record<KbLanguage, (word: string) => string> = {
  en: englishStemmer,
  sv: (word) => {
    // Same gap as in PostgreSQL: Snowball keeps Swedish definite "-et" ("lösenordet"); strip it after stemming.
    const stem = swedishStemmer(word);
    return stem.length >= 6 && stem.endsWith('et') ? stem.slice(0, -2) : stem;
  },
  es: spanishStemmer,
  pt: portugueseStemmer,
};

interface IndexedArticle {
  id: string;
  title: string;
  body: string;
  tags: string;
  category: string | null;
}

export interface MemoryRankerOptions {
  /** MiniSearch edit-distance tolerance as a fraction of term length (terms of 5+ letters); 0 disables. */
  fuzzy?: number;
  /** Match query words as prefixes of longer words (Swedish compounds: "skrivar" → "skrivarkö"). */
  prefix?: boolean;
}

interface Snapshot {
  version: string;
  indexes: Map<KbLanguage, MiniSearch<IndexedArticle>>;
  vocabulary: Vocabulary;
  /** Per language: how many articles contain each stem, and how many articles there are (for IDF). */
  df: Map<KbLanguage, { stems: Map<string, number>; docs: number }>;
}

/**
 * BM25+ ranking in process with MiniSearch: one index per language with that language's stemmer, built from
 * `kb_article` on first use and rebuilt when the KB changes.
 */
export class MemoryRanker implements KbRanker {
  readonly name = 'memory';
  private snapshot: Promise<Snapshot> | undefined;
  private snapshotVersion: string | undefined;
  private readonly fuzzy: number;
  private readonly prefix: boolean;

  constructor(
    private readonly db: Database,
    options: MemoryRankerOptions = {},
  ) {
    this.fuzzy = options.fuzzy ?? 0;
    this.prefix = options.prefix ?? false;
  }

  async search(query: string, opts: KbSearchOptions): Promise<KbSearchHit[]> {
    const { indexes, vocabulary, df } = await this.current();
    const terms = expandQuery(query, vocabulary);
    if (!terms.length || opts.top <= 0) return [];
    const languages = opts.language ? [opts.language] : KB_LANGUAGES;
    const hits: KbSearchHit[] = [];
    for (const language of languages) {
      const index = isKbLanguage(language) ? indexes.get(language) : undefined;
      if (!index) continue;
      const byWeight = new Map<number, string[]>();
      for (const t of terms) {
        if (t.language && t.language !== language) continue;
        byWeight.set(t.weight, [...(byWeight.get(t.weight) ?? []), t.term]);
      }
      const miniQuery: Query = {
        combineWith: 'OR',
        queries: [...byWeight].map(([weight, words]) => ({ queries: [words.join(' ')], boostTerm: () => weight })),
      };
      const searchOptions: SearchOptions = {
        boost: { title: 3, tags: 2 },
        fuzzy: this.fuzzy ? (term) => (term.length >= 5 ? this.fuzzy : false) : false,
        prefix: this.prefix ? (term) => term.length >= 5 : false,
        filter: opts.category ? (r) => r.category === opts.category : undefined,
      };
      // The reporter's own words (not synonyms or corrections), as the index stems them, with their IDF.
      const stem = STEMMERS[language as KbLanguage];
      const stats = df.get(language as KbLanguage);
      const idf = (s: string) => Math.log(1 + (stats?.docs ?? 1) / (1 + (stats?.stems.get(s) ?? 0)));
      const own = [...new Set(terms.filter((t) => t.weight === 1 && (!t.language || t.language === language)).map((t) => stem(t.term)))];
      // Words the KB never uses ("the", names, typos) say nothing either way: only known stems count.
      const known = own.filter((s) => stats?.stems.has(s));
      const queryIdf = known.reduce((sum, s) => sum + idf(s), 0);
      for (const r of index.search(miniQuery, searchOptions)) {
        const matched = known.filter((s) => r.queryTerms.includes(s) || r.terms.includes(s));
        hits.push({
          id: String(r.id), title: String(r.title), score: r.score, category: (r.category as string | null | undefined) ?? null,
          evidence: { matchedIdf: matched.reduce((sum, s) => sum + idf(s), 0), queryIdf, rarestIdf: Math.max(0, ...matched.map(idf)), matched },
        });
      }
    }
    hits.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
    return hits.slice(0, opts.top);
  }

  private async current(): Promise<Snapshot> {
    const version = await kbVersion(this.db);
    if (!this.snapshot || this.snapshotVersion !== version) {
      this.snapshotVersion = version;
      // Concurrent searches share one build instead of each loading the KB.
      this.snapshot = this.build(version).catch((err: unknown) => {
        this.snapshot = undefined;
        throw err;
      });
    }
    return this.snapshot;
  }

  private async build(version: string): Promise<Snapshot> {
    const { rows } = await this.db.pool.query<KbArticleInput>('SELECT id, title, body, language, category, tags FROM kb_article');
    const indexes = new Map<KbLanguage, MiniSearch<IndexedArticle>>();
    const words = new Map<string, number>();
    const df = new Map<KbLanguage, { stems: Map<string, number>; docs: number }>();
    for (const row of rows) {
      if (!isKbLanguage(row.language)) continue;
      let index = indexes.get(row.language);
      if (!index) {
        const stem = STEMMERS[row.language];
        index = new MiniSearch<IndexedArticle>({
          fields: ['title', 'tags', 'body'],
          storeFields: ['title', 'category'],
          tokenize,
          processTerm: (term) => stem(term),
        });
        indexes.set(row.language, index);
      }
      const tags = row.tags.join(' ');
      index.add({ id: row.id, title: row.title, body: row.body, tags, category: row.category });
      const tokens = new Set(tokenize(`${row.title} ${tags} ${row.body}`));
      for (const w of tokens) words.set(w, (words.get(w) ?? 0) + 1);
      const stats = df.get(row.language) ?? { stems: new Map<string, number>(), docs: 0 };
      stats.docs++;
      for (const s of new Set([...tokens].map(STEMMERS[row.language]))) stats.stems.set(s, (stats.stems.get(s) ?? 0) + 1);
      df.set(row.language, stats);
    }
    return { version, indexes, vocabulary: new Vocabulary(words), df };
  }
}
