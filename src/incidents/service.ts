import type { AttachmentRef, Author } from '../../channels/types.js';
import type { Incident, Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import type { ReporterNotifier } from '../notifications/reporter.js';
import { ROUND_THE_CLOCK, type SlaClock } from '../sla/calendar.js';
import { DEFAULT_SLA, dueTimes, type SlaPolicy } from '../sla/policy.js';
import { clampLevel, DEFAULT_MATRIX, isPriority, type Priority, type PriorityMatrix, priorityOf } from '../sla/priority.js';
import type { Taxonomy } from '../triage/taxonomy.js';
import { type ClassificationPatch, classify } from './classification.js';
import { assertTransition, type IncidentStatus } from './lifecycle.js';
import { insertIncident } from './insert.js';
import { formatIncidentNumber } from './number.js';

export interface NewIncident {
  title: string;
  description: string;
  reporterId: string;
  originConversationId?: string;
  category?: string | null;
  service?: string | null;
  impact?: number;
  urgency?: number;
  tier?: string;
  assignmentGroup?: string | null;
  confidential?: boolean;
  /** A service request gets the request SLA (sla.yaml `requests`) instead of the priority's. Default incident. */
  type?: 'incident' | 'request';
}

export interface IncidentPatch extends ClassificationPatch {
  status?: IncidentStatus;
  priority?: Priority;
  impact?: number;
  urgency?: number;
  assignee?: string | null;
  resolution?: string;
}

/** Something that reacts to incident changes inside the same transaction (e.g. Slack triage cards). */
export type IncidentListener = (tx: Tx, change: IncidentChange) => Promise<void>;
export interface IncidentChange {
  incident: Incident;
  kind: 'created' | 'updated' | 'reply' | 'note' | 'reporter_message';
  actor: string;
  changes?: Record<string, { from: unknown; to: unknown }>;
  text?: string;
  attachments?: AttachmentRef[];
}

/**
 * Incident logging, categorisation, prioritisation and lifecycle. Every method takes the caller's transaction
 * so the change, its timeline entry and the reporter's notification commit together.
 */
export class IncidentService {
  private readonly listeners: IncidentListener[] = [];

  constructor(
    private readonly notifier: ReporterNotifier,
    private readonly options: { matrix?: PriorityMatrix; sla?: SlaPolicy; requestSla?: SlaPolicy; clock?: SlaClock; taxonomy?: Taxonomy } = {},
  ) {}

  /** [sla-timers] How SLA time is counted: business hours (sla.yaml `businessHours`) or around the clock. */
  get clock(): SlaClock {
    return this.options.clock ?? ROUND_THE_CLOCK;
  }

  /** Requests are measured against the request targets when sla.yaml has them, incidents against the priority's. */
  private policyFor(type: 'incident' | 'request'): SlaPolicy {
    return (type === 'request' ? this.options.requestSla : undefined) ?? this.options.sla ?? DEFAULT_SLA;
  }

  /** Registers a listener (e.g. a channel that mirrors incidents); it runs inside each change's transaction. */
  onChange(listener: IncidentListener): void {
    this.listeners.push(listener);
  }

  async create(tx: Tx, input: NewIncident, now = new Date()): Promise<Incident> {
    const impact = clampLevel(input.impact ?? 3);
    const urgency = clampLevel(input.urgency ?? 3);
    const priority = priorityOf(impact, urgency, this.options.matrix ?? DEFAULT_MATRIX);
    const type = input.type ?? 'incident';
    const due = dueTimes(priority, now, this.policyFor(type), this.clock);
    const incident = await insertIncident(tx, {
      title: input.title.slice(0, 200),
      description: input.description,
      reporterId: input.reporterId,
      originConversationId: input.originConversationId ?? null,
      category: input.category ?? null,
      service: input.service ?? null,
      impact,
      urgency,
      priority,
      tier: input.tier ?? 'L1',
      assignmentGroup: input.assignmentGroup ?? null,
      confidential: input.confidential ?? false,
      type,
      responseDueAt: due.responseDueAt ?? null,
      resolutionDueAt: due.resolutionDueAt ?? null,
      createdAt: now,
    });
    // Files the reporter sent before the report was filed belong to it (agents list and download them).
    const files = input.originConversationId ? await linkAttachments(tx, incident.id, { conversationId: input.originConversationId }) : [];
    await this.emit(tx, { incident, kind: 'created', actor: 'bot', ...(files.length ? { attachments: files } : {}) });
    return incident;
  }

  async get(tx: Tx, ref: string): Promise<Incident> {
    const incident = await tx.incident.findFirst({ where: incidentWhere(ref) });
    if (!incident) throw new FrontlineError('NOT_FOUND', `incident ${ref} not found`);
    return incident;
  }

  async update(tx: Tx, ref: string, patch: IncidentPatch, actor: string, now = new Date()): Promise<Incident> {
    const before = await this.lock(tx, ref);
    const data: Record<string, unknown> = {};
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const set = (key: keyof Incident & string, value: unknown) => {
      if (value !== undefined && value !== before[key]) {
        data[key] = value;
        changes[key] = { from: before[key], to: value };
      }
    };
    if (patch.status && patch.status !== before.status) {
      assertTransition(before.status, patch.status);
      // The reporter is told how it was resolved, and someone must own an assigned incident.
      if (patch.status === 'resolved' && !(patch.resolution ?? '').trim()) {
        throw new FrontlineError('BAD_REQUEST', 'resolving needs a resolution: say what fixed it (resolution)');
      }
      if (patch.status === 'assigned' && !(patch.assignee === undefined ? before.assignee : patch.assignee)?.trim()) {
        throw new FrontlineError('BAD_REQUEST', 'assigned needs an assignee (assignee)');
      }
      set('status', patch.status);
      if (patch.status === 'resolved') set('resolvedAt', now);
      if (patch.status === 'closed') set('closedAt', now);
      if (patch.status === 'reopened') set('resolvedAt', null);
      Object.assign(data, slaPauseChange(before, patch.status, now, this.clock)); // [sla-timers] clocks stop while pending
    }
    if (patch.impact !== undefined || patch.urgency !== undefined) {
      const impact = clampLevel(patch.impact ?? before.impact);
      const urgency = clampLevel(patch.urgency ?? before.urgency);
      set('impact', impact);
      set('urgency', urgency);
      if (!patch.priority) set('priority', priorityOf(impact, urgency, this.options.matrix ?? DEFAULT_MATRIX));
    }
    if (patch.priority) {
      if (!isPriority(patch.priority)) throw new FrontlineError('BAD_REQUEST', `unknown priority ${String(patch.priority)}`);
      set('priority', patch.priority);
    }
    if (changes.priority) {
      // [sla-timers] the new targets count from creation plus the (counted) time already spent waiting on the
      // reporter; a new target gets its own warnings and breaches.
      const pausedMs = (typeof data.slaPausedMinutes === 'number' ? data.slaPausedMinutes : before.slaPausedMinutes) * 60_000;
      const due = dueTimes(changes.priority.to as Priority, before.createdAt, this.policyFor(before.type), this.clock, pausedMs);
      set('responseDueAt', due.responseDueAt);
      set('resolutionDueAt', due.resolutionDueAt);
      Object.assign(data, { slaWarnedAt: null, slaBreachedAt: null, responseWarnedAt: null, responseBreachedAt: null });
    }
    set('assignee', patch.assignee);
    // Category, service, group, tier, confidential, title, description: validated against the taxonomy.
    for (const [key, value] of Object.entries(classify(before, patch, this.options.taxonomy))) set(key as keyof Incident & string, value);
    set('resolution', patch.resolution);
    if (patch.assignee && before.status === 'new' && !patch.status) {
      data.status = 'assigned';
      changes.status = { from: before.status, to: 'assigned' };
    }
    // [sla-timers] An agent taking the incident (assigning it, starting work, asking the reporter, resolving)
    // is its first response and stops the response clock, like a public reply does.
    if (!before.firstRespondedAt && !SYSTEM_ACTORS.has(actor) && (patch.assignee || (patch.status && RESPONDING.has(patch.status)))) {
      data.firstRespondedAt = now;
    }
    if (Object.keys(changes).length === 0) return before;
    const incident = await tx.incident.update({ where: { id: before.id }, data });
    for (const [field, change] of Object.entries(changes)) {
      if (field.endsWith('At')) continue;
      await tx.incidentEvent.create({
        // Old and new wording of the report stay with the agents (read-only tokens see only that it changed).
        data: { incidentId: before.id, type: `${field}_changed`, actor, internal: field === 'title' || field === 'description', data: change as never },
      });
    }
    if (changes.status) {
      await this.notifier.notify(tx, incident, 'notify.status', { status: incident.status, resolution: incident.resolution ?? '' });
    } else if (changes.resolution && incident.status === 'resolved' && incident.resolution) {
      // A corrected resolution is news to the reporter, who was told the first one.
      await this.notifier.notify(tx, incident, 'notify.resolution', { resolution: incident.resolution });
    }
    await this.emit(tx, { incident, kind: 'updated', actor, changes });
    return incident;
  }

  /**
   * [sla-timers] Records an SLA milestone (75 % warning or breach) once: sets its column, writes an internal
   * timeline event and tells the listeners (Slack cards) as an update of the pseudo-field `sla`.
   * Returns undefined when the milestone was already recorded.
   */
  async recordSla(tx: Tx, ref: string, milestone: 'warning' | 'breached', actor = 'sla', now = new Date(), clock: 'resolution' | 'response' = 'resolution'): Promise<Incident | undefined> {
    const before = await this.lock(tx, ref);
    const [warnedKey, breachedKey, dueKey] = clock === 'resolution'
      ? (['slaWarnedAt', 'slaBreachedAt', 'resolutionDueAt'] as const)
      : (['responseWarnedAt', 'responseBreachedAt', 'responseDueAt'] as const);
    if (milestone === 'warning' ? before[warnedKey] || before[breachedKey] : before[breachedKey]) return undefined;
    const from = before[warnedKey] ? 'warning' : 'ok';
    // A breach also counts as the warning, so a late job never sends the warning after the breach.
    const data = milestone === 'warning' ? { [warnedKey]: now } : { [breachedKey]: now, [warnedKey]: before[warnedKey] ?? now };
    const incident = await tx.incident.update({ where: { id: before.id }, data });
    const type = `${clock === 'resolution' ? 'sla' : 'sla_response'}_${milestone === 'warning' ? 'warning' : 'breached'}`;
    await tx.incidentEvent.create({
      data: {
        incidentId: before.id,
        type,
        actor,
        internal: true,
        data: { [dueKey]: before[dueKey]?.toISOString() ?? null, priority: before.priority, tier: before.tier },
      },
    });
    // Listeners (Slack card) see the resolution clock as the pseudo-field `sla`, the response clock as `slaResponse`.
    const field = clock === 'resolution' ? 'sla' : 'slaResponse';
    await this.emit(tx, { incident, kind: 'updated', actor, changes: { [field]: { from, to: milestone } } });
    return incident;
  }

  /** An agent's public reply (relayed to the reporter) or internal note (never shown to them). */
  async comment(
    tx: Tx,
    ref: string,
    input: { text: string; author: string; internal: boolean; idempotencyKey?: string; attachments?: AttachmentRef[] },
    now = new Date(),
  ): Promise<Incident> {
    let incident = await this.lock(tx, ref);
    await tx.incidentEvent.create({
      data: { incidentId: incident.id, type: input.internal ? 'note' : 'reply', actor: input.author, internal: input.internal, body: input.text },
    });
    if (!input.internal) {
      const author: Author = { kind: 'agent', name: input.author };
      // [llm] delivered in the reporter's language (original below) when the LLM layer is on.
      await this.notifier.notify(tx, incident, 'notify.reply', { author: input.author, text: input.text }, { author, idempotencyKey: input.idempotencyKey, attachments: input.attachments, translate: { incidentId: incident.id, to: 'reporter', source: input.text } });
      if (!incident.firstRespondedAt) {
        incident = await tx.incident.update({ where: { id: incident.id }, data: { firstRespondedAt: now } });
      }
    }
    await this.emit(tx, { incident, kind: input.internal ? 'note' : 'reply', actor: input.author, text: input.text });
    return incident;
  }

  /** The reporter added information after filing; agents see it on the timeline (and in their channel). */
  async addReporterMessage(tx: Tx, incidentId: string, text: string, actor = 'reporter', attachments?: AttachmentRef[]): Promise<void> {
    // No incident row lock here: the caller holds the conversation lock, and agents' writers take incident
    // then conversation; taking both in the other order would deadlock.
    const incident = await this.get(tx, incidentId);
    const ids = (attachments ?? []).flatMap((a) => (a.id ? [a.id] : []));
    if (ids.length) await linkAttachments(tx, incidentId, { ids });
    const files = attachments?.length ? { attachments: attachments.map(({ id, filename, contentType, size }) => ({ id, filename, contentType, size })) } : undefined;
    await tx.incidentEvent.create({ data: { incidentId, type: 'reporter_message', actor, body: text, ...(files ? { data: files as never } : {}) } });
    await this.emit(tx, { incident, kind: 'reporter_message', actor, text, ...(attachments?.length ? { attachments } : {}) });
    // The agent was waiting on this reply: work resumes and the SLA clocks run again. (This takes the incident
    // lock after the conversation's; a deadlock with an agent's write is retried by the intake.)
    if (incident.status === 'pending') await this.update(tx, incidentId, { status: 'in_progress' }, actor);
  }

  private async lock(tx: Tx, ref: string): Promise<Incident> {
    const incident = await this.get(tx, ref);
    await tx.$executeRaw`SELECT 1 FROM incident WHERE id = ${incident.id}::uuid FOR UPDATE`;
    return (await tx.incident.findUnique({ where: { id: incident.id } }))!;
  }

  private async emit(tx: Tx, change: IncidentChange): Promise<void> {
    for (const listener of this.listeners) await listener(tx, change);
  }
}

/** Links not yet linked files (of a conversation, or by id) to an incident; returns the ones it linked. */
async function linkAttachments(tx: Tx, incidentId: string, which: { conversationId: string } | { ids: string[] }): Promise<AttachmentRef[]> {
  const rows = 'ids' in which
    ? await tx.$queryRaw<AttachmentRef[]>`UPDATE attachment SET incident_id = ${incidentId}::uuid
        WHERE id = ANY(${which.ids}::uuid[]) AND incident_id IS NULL
        RETURNING id::text, filename, content_type AS "contentType", size`
    : await tx.$queryRaw<AttachmentRef[]>`UPDATE attachment SET incident_id = ${incidentId}::uuid
        WHERE conversation_id = ${which.conversationId}::uuid AND incident_id IS NULL
        RETURNING id::text, filename, content_type AS "contentType", size`;
  return rows;
}

/** [sla-timers] Actors whose changes are not an agent responding. */
const SYSTEM_ACTORS = new Set(['bot', 'reporter', 'sla', 'auto-close']);
const RESPONDING = new Set<IncidentStatus>(['assigned', 'in_progress', 'pending', 'resolved']);

/**
 * [sla-timers] Entering `pending` stops the SLA clocks; leaving it moves both due times by the counted time
 * spent waiting on the reporter (business time only, with a calendar: time paused while closed anyway is not
 * subtracted twice) and adds it to the paused total (minutes).
 */
function slaPauseChange(before: Incident, to: IncidentStatus, now: Date, clock: SlaClock): Partial<Incident> {
  if (to === 'pending') return { slaPausedAt: now };
  if (before.status !== 'pending' || !before.slaPausedAt) return {};
  const pausedMs = clock.between(before.slaPausedAt, now);
  const shift = (d: Date | null) => (d ? clock.add(d, pausedMs) : d);
  return {
    slaPausedAt: null,
    slaPausedMinutes: before.slaPausedMinutes + Math.round(pausedMs / 60_000),
    responseDueAt: shift(before.responseDueAt),
    resolutionDueAt: shift(before.resolutionDueAt),
  };
}

/** Accepts a uuid, `INC-000042`, or `42`. */
export function incidentWhere(ref: string): { id: string } | { number: number } {
  if (/^[0-9a-f-]{36}$/i.test(ref)) return { id: ref };
  const m = /^(?:INC-?)?(\d{1,9})$/i.exec(ref.trim());
  if (!m) throw new FrontlineError('NOT_FOUND', `incident ${ref} not found`);
  return { number: Number(m[1]) };
}

export { formatIncidentNumber };
