/**
 * Keyword triage over the taxonomy: what Frontline uses before a model has been trained on the organisation's
 * own tickets, and the safety net when the model is unsure.
 */
import { normalizeText, tokenize } from './normalize.js';
import { maxUrgency, type CategoryDefinition, type Routing, type ServiceDefinition, type Taxonomy, type Urgency } from './taxonomy.js';

export interface RuleResult extends Routing {
  /** 0 when nothing matched; grows with the winning score and its lead over the runner-up (max 0.95). */
  confidence: number;
  /** Keywords that counted for the chosen category, as written in the taxonomy. */
  matchedKeywords: string[];
  /** Every category that matched anything, best first. */
  scores: { category: string; score: number }[];
  /**
   * Strong evidence (score ≥ SENSITIVE_SCORE) for a confidential category even when another category won,
   * e.g. "Outlook stopped syncing after I clicked a phishing link": the ticket must still be handled as such.
   */
  sensitive: { category: string; minUrgency: Urgency | null; matchedKeywords: string[] } | null;
}

interface Keyword {
  source: string;
  tokens: string[];
  /** The last token matches any word it begins ("skrivar*"). */
  prefix: boolean;
  category: CategoryDefinition;
  service?: ServiceDefinition;
  weight: number;
}

interface Match {
  keyword: Keyword;
  start: number;
  end: number;
}

// Service keywords name a concrete thing ("vpn", "toner"); category keywords are broader ("network", "error").
const CATEGORY_WEIGHT = 1;
const SERVICE_WEIGHT = 2;
const PER_EXTRA_WORD = 0.25;
/** One service keyword or two category keywords. */
const SENSITIVE_SCORE = 2;

function compile(source: string, category: CategoryDefinition, service: ServiceDefinition | undefined): Keyword | undefined {
  const prefix = source.trim().endsWith('*');
  const tokens = tokenize(normalizeText(source.replace(/\*\s*$/, '')));
  if (tokens.length === 0) return undefined;
  const weight = (service ? SERVICE_WEIGHT : CATEGORY_WEIGHT) + PER_EXTRA_WORD * (tokens.length - 1);
  return { source, tokens, prefix, category, ...(service ? { service } : {}), weight };
}

export class RuleClassifier {
  /** Keywords by first word, for exact first words. */
  private readonly byFirstToken = new Map<string, Keyword[]>();
  /** Single-word prefix keywords ("lösenord*") are few; checked against every word. */
  private readonly prefixFirst: Keyword[] = [];

  constructor(readonly taxonomy: Taxonomy) {
    for (const category of taxonomy.categories) {
      const sources: [string, ServiceDefinition | undefined][] = [
        ...Object.values(category.keywords).flat().map((k): [string, undefined] => [k, undefined]),
        ...category.services.flatMap((s) => s.keywords.map((k): [string, ServiceDefinition] => [k, s])),
      ];
      const seen = new Set<string>();
      for (const [source, service] of sources) {
        const keyword = compile(source, category, service);
        if (!keyword) continue;
        const key = `${service?.id ?? ''}|${keyword.tokens.join(' ')}|${keyword.prefix}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (keyword.prefix && keyword.tokens.length === 1) this.prefixFirst.push(keyword);
        else {
          const list = this.byFirstToken.get(keyword.tokens[0]!) ?? [];
          list.push(keyword);
          this.byFirstToken.set(keyword.tokens[0]!, list);
        }
      }
    }
  }

  classify(text: string): RuleResult {
    const words = tokenize(normalizeText(text));
    const matches = this.dropContained(this.findMatches(words));
    const scores = new Map<CategoryDefinition, number>();
    for (const m of matches) scores.set(m.keyword.category, (scores.get(m.keyword.category) ?? 0) + m.keyword.weight);
    // Ties go to a confidential category (err on the side of care: "my laptop was stolen" is security),
    // then to the one listed first in the taxonomy, so results never depend on match order.
    const order = this.taxonomy.categories;
    const ranked = [...scores.entries()].sort(
      (a, b) => b[1] - a[1] || Number(b[0].confidential) - Number(a[0].confidential) || order.indexOf(a[0]) - order.indexOf(b[0]),
    );
    const [best, second] = ranked;
    if (!best) return { ...this.taxonomy.routing(this.taxonomy.fallback), confidence: 0, matchedKeywords: [], scores: [], sensitive: null };

    const category = best[0];
    const own = matches.filter((m) => m.keyword.category === category);
    const serviceScores = new Map<ServiceDefinition, number>();
    for (const m of own) if (m.keyword.service) serviceScores.set(m.keyword.service, (serviceScores.get(m.keyword.service) ?? 0) + m.keyword.weight);
    const service = [...serviceScores.entries()].sort((a, b) => b[1] - a[1] || category.services.indexOf(a[0]) - category.services.indexOf(b[0]))[0]?.[0];
    const confidence = Math.min(0.95, best[1] / (best[1] + (second?.[1] ?? 0) + 1));
    const sensitive = ranked.find(([c, score]) => c.confidential && score >= SENSITIVE_SCORE)?.[0];
    return {
      ...this.taxonomy.routing(category, service),
      confidence,
      matchedKeywords: this.sourcesOf(matches, category),
      scores: ranked.map(([c, score]) => ({ category: c.id, score })),
      sensitive: sensitive ? this.sensitiveOf(sensitive, matches) : null,
    };
  }

  private sourcesOf(matches: Match[], category: CategoryDefinition): string[] {
    return [...new Set(matches.filter((m) => m.keyword.category === category).map((m) => m.keyword.source))];
  }

  /** The confidential category's own floor and, if one matched, its services' floors (the strictest wins). */
  private sensitiveOf(category: CategoryDefinition, matches: Match[]): NonNullable<RuleResult['sensitive']> {
    const own = matches.filter((m) => m.keyword.category === category);
    const minUrgency = own.reduce<Urgency | null>(
      (floor, m) => maxUrgency(floor, m.keyword.service?.minUrgency ?? null),
      category.minUrgency ?? null,
    );
    return { category: category.id, minUrgency, matchedKeywords: this.sourcesOf(matches, category) };
  }

  private findMatches(words: string[]): Match[] {
    const matches: Match[] = [];
    words.forEach((word, start) => {
      for (const keyword of this.byFirstToken.get(word) ?? []) {
        if (this.matchesAt(keyword, words, start)) matches.push({ keyword, start, end: start + keyword.tokens.length });
      }
      for (const keyword of this.prefixFirst) {
        if (word.startsWith(keyword.tokens[0]!)) matches.push({ keyword, start, end: start + 1 });
      }
    });
    return matches;
  }

  private matchesAt(keyword: Keyword, words: string[], start: number): boolean {
    const last = keyword.tokens.length - 1;
    return keyword.tokens.every((token, i) => {
      const word = words[start + i];
      if (word === undefined) return false;
      return i === last && keyword.prefix ? word.startsWith(token) : word === token;
    });
  }

  /**
   * Within one category a phrase absorbs the shorter keywords inside it ("kan inte logga in" ⊃ "logga in"),
   * and of two keywords on the same words the heavier (service) one counts: one piece of evidence, one vote.
   */
  private dropContained(matches: Match[]): Match[] {
    const byStart = new Map<number, number[]>();
    let longest = 1;
    matches.forEach((m, i) => {
      byStart.set(m.start, [...(byStart.get(m.start) ?? []), i]);
      longest = Math.max(longest, m.end - m.start);
    });
    const covers = (other: Match, otherIndex: number, m: Match, index: number): boolean =>
      otherIndex !== index &&
      other.keyword.category === m.keyword.category &&
      other.start <= m.start &&
      other.end >= m.end &&
      (other.end - other.start > m.end - m.start ||
        other.keyword.weight > m.keyword.weight ||
        (other.keyword.weight === m.keyword.weight && otherIndex < index));
    // Only matches starting at most `longest` words earlier can cover this one: linear on long texts.
    return matches.filter((m, index) => {
      for (let start = m.start - longest + 1; start <= m.start; start++) {
        for (const otherIndex of byStart.get(start) ?? []) if (covers(matches[otherIndex]!, otherIndex, m, index)) return false;
      }
      return true;
    });
  }
}
