/**
 * Triage of one incoming message: the model trained on the organisation's history when there is one and it is
 * sure enough, the taxonomy's keyword rules otherwise. Loading is the only I/O; `triage(text)` is pure and
 * synchronous, so the dialog core can call it inside a transition.
 */
import { loadClassifier, type Classifier, type ScoredLabel } from './classifier.js';
import { reportKind, type ReportKind, type RequestTopic } from './request-kind.js';
import { RuleClassifier, type RuleResult } from './rules.js';
import { SIGNAL_ROUTING, securitySignal, type SecuritySignal } from './security-signals.js';
import { maxUrgency, type Routing, type Taxonomy } from './taxonomy.js';

/** Label columns the triage understands in a trained model. */
export const CATEGORY_COLUMN = 'category';
export const GROUP_COLUMN = 'group';

export interface TriageAlternative {
  category: string;
  assignmentGroup: string | null;
  score: number;
}

export interface TriageResult extends Routing {
  /** Model: probability of the chosen class. Rules: see RuleResult.confidence. */
  confidence: number;
  source: 'model' | 'rules';
  /** Runner-up categories (or groups), best first. */
  alternatives: TriageAlternative[];
  /** Keywords the rules matched (also when the model decided: they explain a confidential flag). */
  matchedKeywords: string[];
  /** A combination of cues that makes this a security incident whatever the category scores said. */
  signal?: SecuritySignal;
  /** Impact floor (1 = many … 3 = one person) that goes with the signal. */
  minImpact?: 1 | 2 | 3;
  /** Incident (something broke) or service request (something wanted); a security signal is always an incident. */
  kind: ReportKind;
  /** What a request asks for; it decided the routing when the taxonomy's `requests` section names a team. */
  requestTopic?: RequestTopic;
}

export type Triage = (text: string) => TriageResult;

export interface TriageOptions {
  taxonomy: Taxonomy;
  /** Directory written by `frontline triage train`; without it only the rules run. */
  modelDir?: string;
  /** An already loaded classifier (takes precedence over modelDir). */
  classifier?: Classifier;
  /** Below this model confidence the rules decide, if they matched anything. Default 0.5. */
  minModelConfidence?: number;
}

export function createTriage(options: TriageOptions): Triage {
  const { taxonomy } = options;
  const rules = new RuleClassifier(taxonomy);
  const classifier = options.classifier ?? (options.modelDir ? loadClassifier(options.modelDir) : undefined);
  const columns = new Set(classifier?.labels.map((l) => l.column) ?? []);
  const usable = classifier !== undefined && (columns.has(CATEGORY_COLUMN) || columns.has(GROUP_COLUMN));
  const minModelConfidence = options.minModelConfidence ?? 0.5;

  const fromRules = (result: RuleResult): Omit<TriageResult, 'kind'> => {
    const total = result.scores.reduce((sum, s) => sum + s.score, 0);
    return {
      ...routingOf(result),
      confidence: result.confidence,
      source: 'rules',
      alternatives: result.scores
        .filter((s) => s.category !== result.category)
        .map((s) => ({ category: s.category, assignmentGroup: taxonomy.category(s.category)?.assignmentGroup ?? null, score: s.score / total })),
      matchedKeywords: result.matchedKeywords,
    };
  };

  const fromModel = (prediction: Record<string, ScoredLabel[]>, ruled: RuleResult): Omit<TriageResult, 'kind'> => {
    const categories = prediction[CATEGORY_COLUMN] ?? [];
    const groups = prediction[GROUP_COLUMN] ?? [];
    const topGroup = groups[0];
    const groupService = topGroup ? taxonomy.findService(topGroup.label) : undefined;
    const topCategory = categories[0];
    const category = topCategory ? taxonomy.findCategory(topCategory.label) : groupService?.category;
    const service = groupService && groupService.category === category ? groupService.service : undefined;
    const routing: Routing = category
      ? taxonomy.routing(category, service)
      : // A label the taxonomy does not know (e.g. a numeric code) is kept as the model said it.
        { ...taxonomy.routing(taxonomy.fallback), category: topCategory?.label ?? taxonomy.fallback.id };
    if (topGroup) routing.assignmentGroup = groupService?.service.assignmentGroup ?? topGroup.label;
    const ranked = categories.length > 0 ? categories : groups;
    return {
      ...routing,
      confidence: ranked[0]?.score ?? 0,
      source: 'model',
      alternatives: ranked.slice(1).map((s) => {
        const known = categories.length > 0 ? taxonomy.findCategory(s.label) : taxonomy.findService(s.label)?.category;
        return {
          category: known?.id ?? s.label,
          assignmentGroup: categories.length > 0 ? (known?.assignmentGroup ?? null) : s.label,
          score: s.score,
        };
      }),
      matchedKeywords: ruled.matchedKeywords,
    };
  };

  return (text: string): TriageResult => {
    const ruled = rules.classify(text);
    let result = usable ? fromModel(classifier.predict(text, 3), ruled) : fromRules(ruled);
    if (result.source === 'model' && result.confidence < minModelConfidence && ruled.confidence > 0) result = fromRules(ruled);
    return withSecuritySignal(withSensitiveFlags(withKind(result, text, taxonomy), ruled), text, taxonomy);
  };
}

/**
 * A service request goes to the team that fulfils it (taxonomy `requests`): "new hire needs Jira access" is
 * Identity & Access, not a software fault. Without an entry for its topic the triaged category stays.
 */
function withKind(result: Omit<TriageResult, 'kind'>, text: string, taxonomy: Taxonomy): TriageResult {
  const decided = reportKind(text);
  if (decided.kind === 'incident') return { ...result, kind: 'incident' };
  const routing = decided.topic ? taxonomy.requestRouting(decided.topic) : undefined;
  const moved = routing && routing.category !== result.category;
  return {
    ...result,
    ...(routing && (moved || result.service === null) ? routing : {}),
    ...(moved ? { alternatives: [{ category: result.category, assignmentGroup: result.assignmentGroup, score: result.confidence }, ...result.alternatives] } : {}),
    kind: 'request',
    ...(decided.topic ? { requestTopic: decided.topic } : {}),
  };
}

/**
 * A credential typed into a phishing page or ransomware signs decide the category outright: the report goes to
 * Security, confidential, with the signal's service and floors (a taxonomy without such a category is left alone).
 */
function withSecuritySignal(result: TriageResult, text: string, taxonomy: Taxonomy): TriageResult {
  const signal = securitySignal(text);
  const category = signal ? taxonomy.category('security') : undefined;
  if (!signal || !category) return result;
  const { service: serviceId, minImpact } = SIGNAL_ROUTING[signal];
  const service = category.services.find((s) => s.id === serviceId);
  const routing = taxonomy.routing(category, service);
  const keepsService = result.category === category.id && result.service !== null;
  return {
    ...result,
    ...(keepsService ? { ...taxonomy.routing(category, category.services.find((s) => s.id === result.service)) } : routing),
    kind: 'incident',
    requestTopic: undefined,
    confidential: true,
    minUrgency: maxUrgency(maxUrgency(result.minUrgency, routing.minUrgency), 'high'),
    confidence: Math.max(result.confidence, 0.9),
    alternatives: result.category === category.id ? result.alternatives : [{ category: result.category, assignmentGroup: result.assignmentGroup, score: result.confidence }, ...result.alternatives],
    signal,
    minImpact,
  };
}

/**
 * Never let another category hide a phishing report or a stolen laptop: strong keyword evidence for a
 * confidential category keeps the ticket confidential and its urgency floor, whoever decided the category.
 */
function withSensitiveFlags(result: TriageResult, ruled: RuleResult): TriageResult {
  if (!ruled.sensitive) return result;
  return {
    ...result,
    confidential: true,
    minUrgency: maxUrgency(result.minUrgency, ruled.sensitive.minUrgency),
    matchedKeywords: [...new Set([...result.matchedKeywords, ...ruled.sensitive.matchedKeywords])],
  };
}

function routingOf(result: RuleResult): Routing {
  const { category, service, assignmentGroup, tier, confidential, minUrgency } = result;
  return { category, service, assignmentGroup, tier, confidential, minUrgency };
}
