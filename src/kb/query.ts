import { synonymsOf } from './synonyms.js';
import { type KbLanguage, swedishDefiniteVariants, tokenize } from './text.js';

/** One weighted alternative to look up; `language` limits it to articles in that language. */
export interface QueryTerm {
  term: string;
  weight: number;
  language?: KbLanguage;
}

/** Relative weights: the user's own words count most, machine-added alternatives less. */
export const TERM_WEIGHTS = { original: 1, variant: 1, correction: 0.7, synonym: 0.4 } as const;

/**
 * Words the KB actually contains, with document frequency, used to correct typos ("pasword", "outlok") before
 * ranking. Both rankers use it so their comparison measures ranking, not spelling tolerance.
 */
export class Vocabulary {
  private readonly byLength = new Map<number, [string, number][]>();

  constructor(private readonly words: ReadonlyMap<string, number>) {
    for (const [word, freq] of words) {
      const list = this.byLength.get(word.length) ?? [];
      list.push([word, freq]);
      this.byLength.set(word.length, list);
    }
  }

  has(word: string): boolean {
    return this.words.has(word);
  }

  /** Closest known words within 1 edit (2 for words of 8+ letters), most frequent first. */
  corrections(word: string, limit = 2): string[] {
    const maxDist = word.length >= 8 ? 2 : 1;
    const found: [string, number, number][] = [];
    for (let len = word.length - maxDist; len <= word.length + maxDist; len++) {
      for (const [candidate, freq] of this.byLength.get(len) ?? []) {
        const d = boundedEditDistance(word, candidate, maxDist);
        if (d <= maxDist) found.push([candidate, d, freq]);
      }
    }
    found.sort((a, b) => a[1] - b[1] || b[2] - a[2]);
    return found.slice(0, limit).map(([w]) => w);
  }
}

/**
 * Turns a user query into weighted terms: its words, Swedish forms without definite suffixes, typo corrections
 * against the KB vocabulary, and IT synonyms (from the words and their corrections).
 */
export function expandQuery(query: string, vocabulary?: Vocabulary): QueryTerm[] {
  const terms = new Map<string, QueryTerm>();
  const add = (term: string, weight: number, language?: KbLanguage) => {
    const key = `${language ?? '*'}:${term}`;
    const prev = terms.get(key);
    if (!prev || prev.weight < weight) terms.set(key, { term, weight, ...(language ? { language } : {}) });
  };
  for (const word of new Set(tokenize(query))) {
    add(word, TERM_WEIGHTS.original);
    for (const v of swedishDefiniteVariants(word)) add(v, TERM_WEIGHTS.variant, 'sv');
    const known = [word];
    if (vocabulary && word.length >= 4 && !/\d/.test(word) && !vocabulary.has(word) && !synonymsOf(word).length) {
      for (const c of vocabulary.corrections(word)) {
        add(c, TERM_WEIGHTS.correction);
        known.push(c);
      }
    }
    for (const w of known) for (const s of synonymsOf(w)) add(s, TERM_WEIGHTS.synonym);
  }
  return [...terms.values()];
}

/** Optimal-string-alignment distance, giving up early once it exceeds `max` (returns max + 1). */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] ?? max + 1;
}
