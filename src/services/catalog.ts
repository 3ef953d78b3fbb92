/**
 * The service catalogue (dialogs/services.yaml): services with their owner group, criticality, configuration
 * items (CIs), audience and the Alertmanager labels that map to them. Validated at start like the taxonomy.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FrontlineError } from '../errors.js';
import { normalizeText, tokenize } from '../triage/normalize.js';

export const DEFAULT_SERVICES_PATH = path.resolve(import.meta.dirname, '../../dialogs/services.yaml');
export const CRITICALITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Criticality = (typeof CRITICALITIES)[number];
export const CLEARANCES = ['public', 'internal', 'restricted'] as const;
export type Clearance = (typeof CLEARANCES)[number];
export const SERVICE_LANGUAGES = ['en', 'sv', 'es', 'pt'] as const;
export type ServiceLanguage = (typeof SERVICE_LANGUAGES)[number];

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'ids are lowercase letters, digits, _ and -');
const words = z.array(z.string().trim().min(1)).default([]);

const ciSchema = z.strictObject({ id, name: z.string().min(1), type: z.string().min(1), aliases: words });

export const serviceSchema = z.strictObject({
  /** The taxonomy's service id where one exists. */
  id,
  name: z.strictObject({ en: z.string().min(1), sv: z.string().min(1), es: z.string().min(1), pt: z.string().min(1) }),
  ownerGroup: z.string().min(1),
  criticality: z.enum(CRITICALITIES),
  aliases: words,
  cis: z.array(ciSchema).default([]),
  audience: z
    .strictObject({
      slack: words,
      teams: words,
      email: z.array(z.email()).default([]),
      groups: words,
      clearance: z.enum(CLEARANCES).optional(),
    })
    .default({ slack: [], teams: [], email: [], groups: [] }),
  /** Each entry is one matcher set: an alert maps here when all of its labels equal the set's values. */
  alertLabels: z.array(z.record(z.string().min(1), z.string())).default([]),
});

export const catalogSchema = z
  .strictObject({ version: z.literal(1), services: z.array(serviceSchema) })
  .superRefine((catalog, ctx) => {
    const serviceIds = new Set<string>();
    const ciIds = new Set<string>();
    catalog.services.forEach((service, i) => {
      if (serviceIds.has(service.id)) ctx.addIssue({ code: 'custom', path: ['services', i, 'id'], message: `duplicate service id "${service.id}"` });
      serviceIds.add(service.id);
      service.cis.forEach((ci, j) => {
        if (ciIds.has(ci.id)) ctx.addIssue({ code: 'custom', path: ['services', i, 'cis', j, 'id'], message: `duplicate CI id "${ci.id}"` });
        ciIds.add(ci.id);
      });
      service.alertLabels.forEach((set, j) => {
        if (Object.keys(set).length === 0) ctx.addIssue({ code: 'custom', path: ['services', i, 'alertLabels', j], message: 'a matcher set needs at least one label' });
      });
    });
  });

export type CatalogDefinition = z.infer<typeof catalogSchema>;
export type ServiceDef = CatalogDefinition['services'][number];
export type CiDef = ServiceDef['cis'][number];

/** What a text names: the service, the CI when one is named, and the words that matched (the explanation). */
export interface ServiceMatch {
  service: ServiceDef;
  ci?: CiDef;
  matched: string[];
  score: number;
}

interface Phrase {
  source: string;
  tokens: string[];
  prefix: boolean;
  service: ServiceDef;
  ci?: CiDef;
}

function compile(source: string, service: ServiceDef, ci?: CiDef): Phrase | undefined {
  const prefix = source.trim().endsWith('*');
  const tokens = tokenize(normalizeText(source.replace(/\*\s*$/, '')));
  if (tokens.length === 0) return undefined;
  return { source, tokens, prefix, service, ...(ci ? { ci } : {}) };
}

/** "pvn" for "vpn", "outlok"… no: only two adjacent letters swapped, the commonest typo of short names. */
function isTransposition(word: string, target: string): boolean {
  if (word.length !== target.length || word.length < 3 || word === target) return false;
  let i = 0;
  while (word[i] === target[i]) i++;
  return word[i] === target[i + 1] && word[i + 1] === target[i] && word.slice(i + 2) === target.slice(i + 2);
}

function matchesAt(phrase: Phrase, words: string[], at: number): boolean {
  if (at + phrase.tokens.length > words.length) return false;
  if (phrase.tokens.length === 1 && !phrase.prefix && isTransposition(words[at]!, phrase.tokens[0]!)) return true;
  for (let k = 0; k < phrase.tokens.length; k++) {
    const last = k === phrase.tokens.length - 1;
    const word = words[at + k]!;
    if (last && phrase.prefix ? !word.startsWith(phrase.tokens[k]!) : word !== phrase.tokens[k]) return false;
  }
  return true;
}

export class ServiceCatalog {
  private readonly phrases: Phrase[] = [];
  private readonly byId = new Map<string, ServiceDef>();
  private readonly ciById = new Map<string, { service: ServiceDef; ci: CiDef }>();

  constructor(readonly definition: CatalogDefinition) {
    for (const service of definition.services) {
      this.byId.set(service.id, service);
      const names = [service.id.replace(/_/g, ' '), ...Object.values(service.name), ...service.aliases];
      for (const source of new Set(names)) {
        const phrase = compile(source, service);
        if (phrase) this.phrases.push(phrase);
      }
      for (const ci of service.cis) {
        this.ciById.set(ci.id, { service, ci });
        for (const source of new Set([ci.id, ci.name, ...ci.aliases])) {
          const phrase = compile(source, service, ci);
          if (phrase) this.phrases.push(phrase);
        }
      }
    }
  }

  get services(): ServiceDef[] {
    return this.definition.services;
  }

  find(serviceId: string): ServiceDef | undefined {
    return this.byId.get(serviceId);
  }

  findCi(ciId: string): { service: ServiceDef; ci: CiDef } | undefined {
    return this.ciById.get(ciId);
  }

  /**
   * The service (and CI) a report names, by its names in every language, aliases and CI names; the service with
   * the most matched words wins, a CI counts double (it is more specific). `language` only breaks ties in
   * favour of the service whose name in that language matched.
   */
  matchText(text: string, language?: string): ServiceMatch | undefined {
    const words = tokenize(normalizeText(text));
    const scores = new Map<string, ServiceMatch>();
    for (let at = 0; at < words.length; at++) {
      for (const phrase of this.phrases) {
        if (!matchesAt(phrase, words, at)) continue;
        const entry = scores.get(phrase.service.id) ?? { service: phrase.service, matched: [], score: 0 };
        if (!entry.matched.includes(phrase.source)) {
          entry.matched.push(phrase.source);
          entry.score += phrase.tokens.length * (phrase.ci ? 2 : 1);
          if (language && phrase.source === phrase.service.name[language as ServiceLanguage]) entry.score += 0.1;
        }
        if (phrase.ci && !entry.ci) entry.ci = phrase.ci;
        scores.set(phrase.service.id, entry);
      }
    }
    let best: ServiceMatch | undefined;
    for (const entry of scores.values()) if (!best || entry.score > best.score) best = entry;
    return best;
  }

  /** The service (and CI) whose matcher set all of an alert's labels satisfy; the most specific set wins. */
  matchLabels(labels: Record<string, string>): { service: ServiceDef; ci?: CiDef } | undefined {
    let best: { service: ServiceDef; size: number } | undefined;
    for (const service of this.definition.services) {
      for (const set of service.alertLabels) {
        const entries = Object.entries(set);
        if (entries.every(([k, v]) => labels[k] === v) && (!best || entries.length > best.size)) best = { service, size: entries.length };
      }
    }
    if (!best) return undefined;
    const ci = labels.ci ? best.service.cis.find((c) => c.id === labels.ci || c.aliases.includes(labels.ci!)) : undefined;
    return { service: best.service, ...(ci ? { ci } : {}) };
  }
}

export function parseServiceCatalog(input: unknown, source = 'services'): ServiceCatalog {
  const result = catalogSchema.safeParse(input);
  if (!result.success) {
    throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${source} is invalid:\n${z.prettifyError(result.error)}`);
  }
  return new ServiceCatalog(result.data);
}

export function loadServiceCatalog(file: string = DEFAULT_SERVICES_PATH): ServiceCatalog {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FrontlineError('DIALOG_DEFINITION_INVALID', `cannot read service catalogue ${file}: ${(err as Error).message}`);
  }
  return parseServiceCatalog(raw, file);
}
