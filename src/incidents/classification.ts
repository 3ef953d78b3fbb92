/**
 * Agents correcting how an incident was filed: category, service, assignment group, tier, confidential flag,
 * title and description, checked against the taxonomy (dialogs/taxonomy.yaml) so a typo cannot create a queue
 * nobody watches.
 */
import type { Incident } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import type { Taxonomy } from '../triage/taxonomy.js';

export interface ClassificationPatch {
  category?: string | null;
  service?: string | null;
  assignmentGroup?: string | null;
  tier?: string;
  confidential?: boolean;
  title?: string;
  description?: string;
}

/** Every assignment group the taxonomy names (categories and services), in file order. */
export function assignmentGroups(taxonomy: Taxonomy): string[] {
  const groups = taxonomy.categories.flatMap((c) => [c.assignmentGroup, ...c.services.map((s) => s.assignmentGroup)]);
  return [...new Set(groups)];
}

const refuse = (what: string, value: string, allowed: string[]): never => {
  throw new FrontlineError('BAD_REQUEST', `unknown ${what} "${value}"; allowed: ${allowed.join(', ')}`, { field: what, allowed });
};

/**
 * The values to write for a classification patch. A new category or service without an explicit group/tier
 * takes the taxonomy's group (a misfiled report goes to the right team; the tier stays); a category whose routing is
 * confidential (security) makes the incident confidential unless the patch says otherwise. A service that does
 * not belong to the new category is dropped.
 */
export function classify(before: Incident, patch: ClassificationPatch, taxonomy: Taxonomy | undefined): ClassificationPatch {
  const out: ClassificationPatch = {};
  if (patch.title !== undefined) out.title = patch.title.trim().slice(0, 200);
  if (patch.description !== undefined) out.description = patch.description;
  if (patch.confidential !== undefined) out.confidential = patch.confidential;
  if (patch.tier !== undefined) out.tier = patch.tier;
  if (patch.assignmentGroup !== undefined) {
    if (patch.assignmentGroup !== null && taxonomy) {
      const groups = assignmentGroups(taxonomy);
      const known = groups.find((g) => g.toLowerCase() === patch.assignmentGroup!.trim().toLowerCase());
      out.assignmentGroup = known ?? refuse('assignmentGroup', patch.assignmentGroup, groups);
    } else out.assignmentGroup = patch.assignmentGroup;
  }
  if (patch.category === undefined && patch.service === undefined) return out;
  if (!taxonomy) {
    if (patch.category !== undefined) out.category = patch.category;
    if (patch.service !== undefined) out.service = patch.service;
    return out;
  }
  const categoryId = patch.category === undefined ? before.category : patch.category;
  const category = categoryId === null ? undefined : taxonomy.category(categoryId) ?? taxonomy.findCategory(categoryId);
  if (categoryId !== null && !category) refuse('category', categoryId, taxonomy.categories.map((c) => c.id));
  if (patch.category !== undefined) out.category = category?.id ?? null;
  let serviceId = patch.service === undefined ? before.service : patch.service;
  if (serviceId !== null) {
    const services = category?.services ?? [];
    const service = services.find((s) => s.id === serviceId);
    if (!service) {
      // An explicit service must belong to the category; a stale one is dropped when the category changes.
      if (patch.service !== undefined) refuse('service', serviceId, services.map((s) => s.id));
      serviceId = null;
    }
  }
  if (serviceId !== before.service || patch.service !== undefined) out.service = serviceId;
  if (category) {
    const routing = taxonomy.routing(category, category.services.find((s) => s.id === serviceId));
    if (patch.assignmentGroup === undefined) out.assignmentGroup = routing.assignmentGroup;
    if (patch.confidential === undefined && routing.confidential) out.confidential = true;
  }
  return out;
}
