/**
 * The service taxonomy (dialogs/taxonomy.yaml): categories → services → assignment group → tier, with the
 * keywords the rule-based triage matches and the handling flags (confidential, minimum urgency).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FrontlineError } from '../errors.js';
import { normalizeText } from './normalize.js';
import { REQUEST_TOPICS, type RequestTopic } from './request-kind.js';

export const URGENCIES = ['low', 'medium', 'high', 'critical'] as const;
export type Urgency = (typeof URGENCIES)[number];
export type Tier = 'L1' | 'L2' | 'L3';

export const DEFAULT_TAXONOMY_PATH = path.resolve(import.meta.dirname, '../../dialogs/taxonomy.yaml');

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'ids are lowercase letters, digits, _ and -');
const keywordList = z.array(z.string().trim().min(1)).default([]);
const tier = z.enum(['L1', 'L2', 'L3']);
const urgency = z.enum(URGENCIES);

const serviceSchema = z.strictObject({
  id,
  name: z.string().min(1),
  assignmentGroup: z.string().min(1),
  tier,
  keywords: keywordList,
  confidential: z.boolean().optional(),
  minUrgency: urgency.optional(),
});

const categorySchema = z.strictObject({
  id,
  name: z.string().min(1),
  /** Other names for the category, e.g. the labels a trained model uses ("Access" → account_access). */
  aliases: z.array(z.string().min(1)).default([]),
  assignmentGroup: z.string().min(1),
  tier,
  confidential: z.boolean().default(false),
  minUrgency: urgency.optional(),
  /** Language code → keywords. */
  keywords: z.record(z.string().regex(/^[a-z]{2,3}$/, 'keyword languages are ISO 639 codes'), keywordList).default({}),
  services: z.array(serviceSchema).min(1),
});

export const taxonomySchema = z
  .strictObject({
    version: z.literal(1),
    fallbackCategory: id,
    categories: z.array(categorySchema).min(1),
    /** Who fulfils a service request, by what is requested (src/triage/request-kind.ts); unlisted: the triaged category. */
    requests: z.partialRecord(z.enum(REQUEST_TOPICS as [RequestTopic, ...RequestTopic[]]), z.strictObject({ category: id, service: id.optional() })).default({}),
  })
  .superRefine((taxonomy, ctx) => {
    const categoryIds = new Set<string>();
    taxonomy.categories.forEach((category, i) => {
      if (categoryIds.has(category.id)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'id'], message: `duplicate category id "${category.id}"` });
      categoryIds.add(category.id);
      const serviceIds = new Set<string>();
      category.services.forEach((service, j) => {
        if (serviceIds.has(service.id)) {
          ctx.addIssue({ code: 'custom', path: ['categories', i, 'services', j, 'id'], message: `duplicate service id "${service.id}"` });
        }
        serviceIds.add(service.id);
      });
    });
    for (const [topic, target] of Object.entries(taxonomy.requests)) {
      const category = taxonomy.categories.find((c) => c.id === target.category);
      if (!category) ctx.addIssue({ code: 'custom', path: ['requests', topic, 'category'], message: `unknown category "${target.category}"` });
      else if (target.service && !category.services.some((s) => s.id === target.service)) {
        ctx.addIssue({ code: 'custom', path: ['requests', topic, 'service'], message: `unknown service "${target.service}" in category "${category.id}"` });
      }
    }
    if (!categoryIds.has(taxonomy.fallbackCategory)) {
      ctx.addIssue({ code: 'custom', path: ['fallbackCategory'], message: `unknown category "${taxonomy.fallbackCategory}"` });
    }
  });

export type TaxonomyDefinition = z.infer<typeof taxonomySchema>;
export type CategoryDefinition = TaxonomyDefinition['categories'][number];
export type ServiceDefinition = CategoryDefinition['services'][number];

/** Routing and handling that follow from a category and (optionally) a service. */
export interface Routing {
  category: string;
  service: string | null;
  assignmentGroup: string;
  tier: Tier;
  confidential: boolean;
  minUrgency: Urgency | null;
}

/** Compares names the way users and models spell them: "Account access" = "account_access" = "ACCOUNT-ACCESS". */
const nameKey = (name: string): string => normalizeText(name).replace(/[^a-z0-9]+/g, '');

export class Taxonomy {
  private readonly byName = new Map<string, CategoryDefinition>();
  private readonly servicesByName = new Map<string, { category: CategoryDefinition; service: ServiceDefinition }>();

  constructor(readonly definition: TaxonomyDefinition) {
    for (const category of definition.categories) {
      for (const name of [category.id, category.name, ...category.aliases]) if (!this.byName.has(nameKey(name))) this.byName.set(nameKey(name), category);
      for (const service of category.services) {
        for (const name of [service.id, service.name, service.assignmentGroup]) {
          if (!this.servicesByName.has(nameKey(name))) this.servicesByName.set(nameKey(name), { category, service });
        }
      }
    }
  }

  get categories(): readonly CategoryDefinition[] {
    return this.definition.categories;
  }

  get fallback(): CategoryDefinition {
    return this.category(this.definition.fallbackCategory)!;
  }

  category(categoryId: string): CategoryDefinition | undefined {
    return this.definition.categories.find((c) => c.id === categoryId);
  }

  /** Category by id, name or alias, ignoring case, accents and punctuation. */
  findCategory(label: string): CategoryDefinition | undefined {
    return this.byName.get(nameKey(label));
  }

  /** Service by id, name or assignment group (the first service of that group), with its category. */
  findService(label: string): { category: CategoryDefinition; service: ServiceDefinition } | undefined {
    return this.servicesByName.get(nameKey(label));
  }

  /** Where a service request of this topic goes (the `requests` section), if the taxonomy says. */
  requestRouting(topic: RequestTopic): Routing | undefined {
    const target = this.definition.requests[topic];
    const category = target && this.category(target.category);
    if (!category) return undefined;
    return this.routing(category, category.services.find((s) => s.id === target.service));
  }

  /** Group, tier and flags; a service overrides its category's where it sets them. */
  routing(category: CategoryDefinition, service?: ServiceDefinition): Routing {
    return {
      category: category.id,
      service: service?.id ?? null,
      assignmentGroup: service?.assignmentGroup ?? category.assignmentGroup,
      tier: service?.tier ?? category.tier,
      confidential: service?.confidential ?? category.confidential,
      minUrgency: service?.minUrgency ?? category.minUrgency ?? null,
    };
  }
}

export function parseTaxonomy(input: unknown, source = 'taxonomy'): Taxonomy {
  const result = taxonomySchema.safeParse(input);
  if (!result.success) {
    throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${source} is invalid:\n${z.prettifyError(result.error)}`);
  }
  return new Taxonomy(result.data);
}

export function loadTaxonomy(file: string = DEFAULT_TAXONOMY_PATH): Taxonomy {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FrontlineError('DIALOG_DEFINITION_INVALID', `cannot read taxonomy ${file}: ${(err as Error).message}`);
  }
  return parseTaxonomy(raw, file);
}

/** Whichever urgency is higher: what the caller said or the taxonomy's floor. */
export function raiseUrgency(given: Urgency, floor: Urgency | null): Urgency {
  if (floor === null) return given;
  return URGENCIES.indexOf(floor) > URGENCIES.indexOf(given) ? floor : given;
}

/** The higher of two optional urgency floors. */
export function maxUrgency(a: Urgency | null, b: Urgency | null): Urgency | null {
  if (a === null) return b;
  if (b === null) return a;
  return URGENCIES.indexOf(a) >= URGENCIES.indexOf(b) ? a : b;
}
