import { z } from 'zod';
import type { Incident, Tx } from '../db/database.js';
import type { IncidentChange, IncidentService } from '../incidents/service.js';
import { type PgBoss, type RunTransaction, txExecutor } from '../jobs/job-queue.js';
import { ensureQueue } from '../jobs/timers.js';
import type { Logger } from '../logger.js';
import type { Taxonomy } from '../triage/taxonomy.js';
import type { Triage, TriageResult } from '../triage/triage.js';
import type { LlmClient } from './client.js';
import { looksLikeInjection } from './safety.js';

export const TRIAGE_OPINION_QUEUE = 'llm-triage-opinion';
export const OPINION_EVENT = 'triage_opinion';
const ACTOR = 'llm:triage';

const LEVEL = z.enum(['unknown', 'one_person', 'several_people', 'department_or_site', 'whole_organisation']);
const URGENCY = z.enum(['unknown', 'can_wait', 'soon', 'blocks_work_now']);

/**
 * The model's answer: every field from a closed list built from the taxonomy; nothing else is accepted.
 * Confidential categories (security) are not on the list: the security signals and rules decide those, never a model.
 */
function opinionSchema(taxonomy: Taxonomy) {
  const open = taxonomy.categories.filter((c) => !c.confidential);
  const categories = open.map((c) => c.id) as [string, ...string[]];
  const services = ['none', ...new Set(open.flatMap((c) => c.services.filter((s) => !s.confidential).map((s) => s.id)))] as [string, ...string[]];
  return z.object({
    category: z.enum(categories),
    service: z.enum(services),
    impact_cue: LEVEL,
    urgency_cue: URGENCY,
    confident: z.boolean(),
  });
}

/**
 * A second opinion on how a report was filed, when the offline classifier was unsure (rules, or a model under
 * LLM_TRIAGE_THRESHOLD). Queued as a pg-boss job inside the filing transaction (so it is asked exactly once per
 * incident), asked outside any transaction, applied in a transaction of its own. The model may only pick category
 * and service from the taxonomy's lists; routing follows from the taxonomy; priority never changes (it comes from
 * the impact × urgency matrix with the values the dialog accepted; the model's cues are recorded, not applied).
 * Security incidents and incidents an agent already re-filed are left alone.
 */
export class TriageOpinion {
  private readonly schema;

  constructor(
    private readonly llm: LlmClient,
    private readonly boss: PgBoss,
    private readonly taxonomy: Taxonomy,
    private readonly triage: Triage,
    private readonly incidents: IncidentService,
    private readonly run: RunTransaction,
    private readonly logger: Logger,
  ) {
    this.schema = opinionSchema(taxonomy);
  }

  /** Creates the queue (with the listener registered, jobs are queued from the first incident) and works it. */
  static async install(boss: PgBoss, opinion: TriageOpinion, options: { work: boolean; pollSeconds: number }): Promise<void> {
    await ensureQueue(boss, { name: TRIAGE_OPINION_QUEUE, policy: 'short', retryLimit: 3, retryDelay: 30, retryBackoff: true });
    if (options.work) await boss.work<{ incidentId: string }>(TRIAGE_OPINION_QUEUE, { pollingIntervalSeconds: options.pollSeconds }, async (jobs) => {
      for (const job of jobs) await opinion.opine(job.data.incidentId);
    });
  }

  /** IncidentService listener (inside the filing transaction). */
  readonly onIncidentChange = async (tx: Tx, change: IncidentChange): Promise<void> => {
    if (change.kind !== 'created' || !this.llm.enabled('triage')) return;
    if (!this.unsure(this.classifierOf(change.incident))) return;
    await this.boss.insert([{ name: TRIAGE_OPINION_QUEUE, data: { incidentId: change.incident.id }, singletonKey: change.incident.id }], { db: txExecutor(tx) });
  };

  private classifierOf(incident: Pick<Incident, 'title' | 'description'>): TriageResult {
    return this.triage(incident.description || incident.title);
  }

  private unsure(result: TriageResult): boolean {
    if (result.signal || result.category === 'security') return false; // security cues decide, never a model
    return result.source === 'rules' || result.confidence < this.llm.settings.triageThreshold;
  }

  /** Asks the model (no transaction open) and records / applies its answer. Returns what happened. */
  async opine(incidentId: string): Promise<'applied' | 'recorded' | 'skipped'> {
    const incident = await this.run((tx) => tx.incident.findUnique({ where: { id: incidentId } }));
    if (!incident || incident.confidential || incident.category === 'security') return 'skipped';
    const classifier = this.classifierOf(incident);
    const answer = await this.llm.structured({
      feature: 'triage',
      instructions:
        'Classify the IT incident report in the data block "report" for the service desk. Pick category and service ' +
        '(or "none") only from the allowed values; the categories are: ' +
        this.taxonomy.categories.filter((c) => !c.confidential).map((c) => `${c.id} (${c.name}; services: ${c.services.map((s) => s.id).join(', ') || 'none'})`).join('; ') +
        '. Read who is affected (impact_cue) and how urgent it is (urgency_cue) from the report; "unknown" when it does not say. ' +
        'confident: whether the report clearly says what is broken.',
      data: { report: `${incident.title}\n${incident.description}`.trim() },
      schema: this.schema,
      schemaName: 'triage_opinion',
      incidentId,
      confidential: incident.confidential,
    });
    if (!answer) return 'skipped';
    const category = this.taxonomy.category(answer.category);
    const service = category?.services.find((s) => s.id === answer.service);
    if (!category) return 'skipped';
    return this.run(async (tx) => {
      const current = await tx.incident.findUnique({ where: { id: incidentId } });
      if (!current) return 'skipped';
      if (await tx.incidentEvent.findFirst({ where: { incidentId, type: OPINION_EVENT }, select: { id: true } })) return 'skipped'; // a retried job
      // Combined with the classifier's: applied only where the classifier's own filing still stands and the model is sure.
      // (A dialog that files without triage leaves the category empty: nothing was decided there either.)
      const refiled = await tx.incidentEvent.findFirst({ where: { incidentId, type: { in: ['category_changed', 'service_changed', 'assignmentGroup_changed'] } }, select: { id: true } });
      const untouched = !refiled && (current.category === classifier.category || current.category === null) && !current.assignee && !current.confidential;
      const differs = category.id !== current.category || (service?.id ?? null) !== current.service;
      // Text that talks to a model ("ignore previous instructions…") never gets to re-route its own incident.
      const suspicious = looksLikeInjection(`${incident.title}\n${incident.description}`);
      const apply = untouched && differs && answer.confident && !suspicious && !service?.confidential;
      await tx.incidentEvent.create({
        data: {
          incidentId, type: OPINION_EVENT, actor: ACTOR, internal: true,
          body: `Second opinion (language model): ${category.id}${service ? ` / ${service.id}` : ''}${apply ? ', applied' : ''}`,
          data: {
            source: 'llm', model: this.llm.settings.models.triage, applied: apply, suspicious,
            opinion: { category: category.id, service: service?.id ?? null, impactCue: answer.impact_cue, urgencyCue: answer.urgency_cue, confident: answer.confident },
            classifier: { source: classifier.source, category: classifier.category, service: classifier.service, confidence: classifier.confidence },
          },
        },
      });
      if (apply) await this.incidents.update(tx, incidentId, { category: category.id, service: service?.id ?? null }, ACTOR);
      this.logger.info({ incidentId, category: category.id, service: service?.id, applied: apply }, 'triage second opinion');
      return apply ? 'applied' : 'recorded';
    });
  }
}
