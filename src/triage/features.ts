/**
 * Hashed TF-IDF features: word unigrams + bigrams and character 2–5-grams inside word boundaries (like
 * scikit-learn's `char_wb`). Character n-grams carry the model across languages, inflections ("skrivaren",
 * "impresora"), typos and compounds; words carry exact phrases. Hashing bounds memory without a vocabulary;
 * training keeps only the buckets that occur, so model files stay small.
 */
import { normalizeText, tokenize } from './normalize.js';

export interface FeatureConfig {
  /** log2 of the hash space; word features use the lower half, character features the upper half. */
  hashBits: number;
  charMin: number;
  charMax: number;
  wordBigrams: boolean;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = { hashBits: 20, charMin: 2, charMax: 5, wordBigrams: true };

/** Bucket counts of one document. */
export interface TermCounts {
  buckets: Int32Array;
  counts: Float32Array;
}

/** Sparse, L2-normalised TF-IDF vector over the model's dense feature indices. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SPACE = 32;
const BIGRAM_SEED = 0x9e3779b1;

/**
 * Per-bucket counters over the whole hash space, reused across calls (extraction is synchronous) and reset
 * after each document. Sorting the ~1,500 raw hashes of a ticket instead was the largest featurisation cost.
 */
let counters = new Float32Array(0);
let touched = new Int32Array(4096);

function hashString(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/** Hashes every feature of the text into buckets and counts them. */
export function extractTerms(text: string, config: FeatureConfig = DEFAULT_FEATURE_CONFIG): TermCounts {
  const words = tokenize(normalizeText(text));
  const half = 1 << (config.hashBits - 1);
  const mask = half - 1;
  if (counters.length !== 1 << config.hashBits) counters = new Float32Array(1 << config.hashBits);
  let unique = 0;
  const push = (h: number): void => {
    if (counters[h] === 0) {
      if (unique === touched.length) {
        const grown = new Int32Array(touched.length * 2);
        grown.set(touched);
        touched = grown;
      }
      touched[unique++] = h;
    }
    counters[h] = counters[h]! + 1;
  };
  let previous = -1;
  for (const word of words) {
    const h = hashString(word);
    if (word.length > 1) push(h & mask);
    if (config.wordBigrams && previous !== -1) push((Math.imul(previous ^ BIGRAM_SEED, FNV_PRIME) ^ h) & mask);
    previous = h;
    // Character n-grams of " word " computed incrementally: no substring allocation per n-gram.
    const padded = word.length + 2;
    for (let start = 0; start < padded; start++) {
      let ch = FNV_OFFSET;
      for (let n = 1; n <= config.charMax && start + n <= padded; n++) {
        const pos = start + n - 1;
        const code = pos === 0 || pos === padded - 1 ? SPACE : word.charCodeAt(pos - 1);
        ch = Math.imul(ch ^ code, FNV_PRIME);
        if (n >= config.charMin) push(half + ((ch >>> 0) & mask));
      }
    }
  }
  // First-seen order: deterministic for a given text, and nothing downstream needs sorted buckets.
  const buckets = touched.slice(0, unique);
  const counts = new Float32Array(unique);
  for (let u = 0; u < unique; u++) {
    counts[u] = counters[buckets[u]!]!;
    counters[buckets[u]!] = 0;
  }
  return { buckets, counts };
}

/** The trained part of the featuriser: which buckets exist and their inverse document frequency. */
export class TfidfVocabulary {
  /** Hash bucket → feature index, -1 when the bucket was not kept. */
  private readonly index: Int32Array;

  constructor(
    readonly config: FeatureConfig,
    readonly buckets: Int32Array,
    readonly idf: Float32Array,
  ) {
    this.index = new Int32Array(1 << config.hashBits).fill(-1);
    for (let i = 0; i < buckets.length; i++) this.index[buckets[i]!] = i;
  }

  get size(): number {
    return this.buckets.length;
  }

  /** Keeps buckets seen in at least `minDf` documents; smoothed idf as scikit-learn computes it. */
  static fit(docs: TermCounts[], config: FeatureConfig, minDf: number, maxDfRatio = 1): TfidfVocabulary {
    // A dense counter over the hash space is several times faster than a Map at 1M buckets × 4 bytes.
    const df = new Int32Array(1 << config.hashBits);
    for (const doc of docs) for (const b of doc.buckets) df[b]!++;
    const kept: number[] = [];
    const maxDf = Math.max(minDf, Math.floor(docs.length * maxDfRatio));
    for (let b = 0; b < df.length; b++) if (df[b]! >= minDf && df[b]! <= maxDf) kept.push(b);
    const buckets = Int32Array.from(kept);
    const idf = Float32Array.from(kept, (b) => Math.log((1 + docs.length) / (1 + df[b]!)) + 1);
    return new TfidfVocabulary(config, buckets, idf);
  }

  /**
   * Sublinear tf × idf, each block (words, characters) L2-normalised separately and weighted 1/√2 so the whole
   * vector has unit length: neither block drowns the other although characters produce ~10× more terms.
   */
  vectorize(terms: TermCounts): SparseVector {
    const half = 1 << (this.config.hashBits - 1);
    const indices = new Int32Array(terms.buckets.length);
    const values = new Float32Array(terms.buckets.length);
    const isChar = new Uint8Array(terms.buckets.length);
    let kept = 0;
    let wordNorm = 0;
    let charNorm = 0;
    for (let i = 0; i < terms.buckets.length; i++) {
      const bucket = terms.buckets[i]!;
      const feature = this.index[bucket]!;
      if (feature < 0) continue;
      const value = (1 + Math.log(terms.counts[i]!)) * this.idf[feature]!;
      if (bucket >= half) {
        isChar[kept] = 1;
        charNorm += value * value;
      } else wordNorm += value * value;
      indices[kept] = feature;
      values[kept++] = value;
    }
    const wordScale = wordNorm > 0 ? Math.SQRT1_2 / Math.sqrt(wordNorm) : 0;
    const charScale = charNorm > 0 ? Math.SQRT1_2 / Math.sqrt(charNorm) : 0;
    for (let i = 0; i < kept; i++) values[i] = values[i]! * (isChar[i] ? charScale : wordScale);
    return { indices: indices.slice(0, kept), values: values.slice(0, kept) };
  }

  vectorizeText(text: string): SparseVector {
    return this.vectorize(extractTerms(text, this.config));
  }
}
