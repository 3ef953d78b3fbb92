/**
 * The KB relevance gate: a ranker always returns its best matches, even for a report no article answers ("SAP is
 * down for the whole finance department" → "mailbox full"). No suggestion is better than a wrong one, so each
 * hit is scored for how likely it is the right article, and only likely ones are shown.
 *
 * A logistic model over five features of a hit, fitted by `npm run bench -- kb-relevance` on the bench/kb query
 * sets (queries an article answers) and test/fixtures/kb-negatives (queries none answers); the constants below
 * are its output (bench/results/kb-relevance.json). Measured there: the BM25 score divided by the IDF of the
 * query's own words (a score normalised by what the query could score) separates far better than the raw score
 * or the IDF coverage alone; the margin over the next hit and agreement with the triaged category add to it.
 */
import type { KbSearchHit } from './ranker.js';

export interface RelevanceContext {
  /** The triaged category: an article of another category needs more evidence (the model weighs agreement). */
  category?: string | null;
  /** The report says many people are affected: an outage is not fixed by self-help, so nothing is offered. */
  wideImpact?: boolean;
  /** A service request's topic: ordering hardware or a new hire's setup is not answered by an article. */
  requestTopic?: string | null;
}

export const RELEVANCE_MODEL = {
  weights: { normalisedScore: 1.144, margin: 1.105, sameCategory: 1.45, coverage: 2.323, rarest: 1.102 },
  bias: -8.665,
  /** Chosen on the calibration sets: keeps 96.5 % of right first answers and suppresses 80 % of the negative queries. */
  threshold: 0.4,
  /** A second or third suggestion from a category other than the triaged one must be this likely. */
  otherCategoryRunnerUp: 0.8,
  /** Feature means of the calibration set: what a ranker without `evidence` is assumed to have. */
  neutral: { normalisedScore: 3.55, margin: 1.18, coverage: 0.79, rarest: 2.32 },
} as const;

const NO_SELF_HELP_TOPICS = new Set(['hardware', 'onboarding', 'other']);

export interface RelevanceFeatures {
  normalisedScore: number;
  margin: number;
  sameCategory: number;
  coverage: number;
  rarest: number;
}

/** Features of `hits[i]` (`hits` best first; the hit after it gives the margin). */
export function featuresOf(hits: readonly KbSearchHit[], i: number, category?: string | null): RelevanceFeatures {
  const hit = hits[i]!;
  const next = hits[i + 1]?.score ?? 0;
  const e = hit.evidence;
  const n = RELEVANCE_MODEL.neutral;
  return {
    normalisedScore: e && e.queryIdf > 0 ? Math.log(Math.max(hit.score / e.queryIdf, 1e-3)) : n.normalisedScore,
    // A clear winner is likelier right than one of several near-equal hits (capped); without a next hit to compare
    // with (the last one returned), the calibration set's average margin.
    margin: next > 0 ? Math.log(Math.min(hit.score / next, 20)) : n.margin,
    sameCategory: category && hit.category === category ? 1 : 0,
    coverage: e && e.queryIdf > 0 ? e.matchedIdf / e.queryIdf : n.coverage,
    rarest: e ? e.rarestIdf : n.rarest,
  };
}

/** Probability (0..1) that the hit is an article that answers the query. */
export function relevanceOf(f: RelevanceFeatures): number {
  const w = RELEVANCE_MODEL.weights;
  const z = RELEVANCE_MODEL.bias + w.normalisedScore * f.normalisedScore + w.margin * f.margin + w.sameCategory * f.sameCategory + w.coverage * f.coverage + w.rarest * f.rarest;
  return 1 / (1 + Math.exp(-z));
}

/**
 * The hits worth showing, best first: those the model finds likely enough, none for an outage or a request
 * that no article can fulfil. Pass one hit more than you will show, so the last one has a margin.
 */
export function relevantHits(hits: readonly KbSearchHit[], ctx: RelevanceContext = {}, threshold: number = RELEVANCE_MODEL.threshold): KbSearchHit[] {
  if (ctx.wideImpact) return [];
  if (ctx.requestTopic && NO_SELF_HELP_TOPICS.has(ctx.requestTopic)) return [];
  const out: KbSearchHit[] = [];
  for (let i = 0; i < hits.length; i++) {
    const p = relevanceOf(featuresOf(hits, i, ctx.category));
    // Runners-up are shown only under a convincing first answer, and from another category only when clearly relevant.
    if (i === 0 && p < threshold) return [];
    if (i > 0 && (p < threshold || (hits[i]!.category !== ctx.category && p < RELEVANCE_MODEL.otherCategoryRunnerUp))) continue;
    out.push(hits[i]!);
  }
  return out;
}
