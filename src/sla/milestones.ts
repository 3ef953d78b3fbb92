import type { Incident } from '../db/database.js';
import type { SlaClock } from './calendar.js';
import type { SlaPolicy } from './policy.js';
import { isPriority } from './priority.js';

export type Milestone = 'response_warning' | 'response_breach' | 'resolution_warning' | 'resolution_breach' | 'auto_close';
export const MILESTONES: readonly Milestone[] = ['response_warning', 'response_breach', 'resolution_warning', 'resolution_breach', 'auto_close'];

export interface MilestoneSettings {
  policy: SlaPolicy;
  /** Targets of service requests (sla.yaml `requestTargets`); without it requests use `policy`. */
  requestPolicy?: SlaPolicy;
  warnAt: number;
  autoCloseDays: number;
  clock: SlaClock;
}

export interface PlannedMilestone {
  milestone: Milestone;
  at: Date;
}

/** Statuses in which the clocks run (pending pauses them; resolved/closed/cancelled stop them). */
const TIMED = new Set(['new', 'assigned', 'in_progress', 'reopened']);

/**
 * The SLA milestones still ahead of an incident in its current state, and when each is due. Used both to
 * queue the jobs and, under the incident's row lock, to re-check a job when it runs: a milestone absent from
 * this list is no longer wanted (recorded already, answered, paused, resolved), one with a later `at` moved.
 */
export function plannedMilestones(incident: Incident, s: MilestoneSettings): PlannedMilestone[] {
  const out: PlannedMilestone[] = [];
  if (incident.status === 'resolved' && incident.resolvedAt) {
    out.push({ milestone: 'auto_close', at: new Date(incident.resolvedAt.getTime() + s.autoCloseDays * 86_400_000) });
  }
  if (!TIMED.has(incident.status) || incident.slaPausedAt) return out;
  const policy = incident.type === 'request' ? (s.requestPolicy ?? s.policy) : s.policy;
  const target = isPriority(incident.priority) ? policy[incident.priority] : undefined;
  // Counted time already spent paused; the due times were pushed out by it when each pause ended.
  const pausedMs = incident.slaPausedMinutes * 60_000;
  const warnAt = (minutes: number) => s.clock.add(incident.createdAt, minutes * 60_000 * s.warnAt + pausedMs);
  if (!incident.firstRespondedAt && incident.responseDueAt && !incident.responseBreachedAt) {
    if (!incident.responseWarnedAt && target) out.push({ milestone: 'response_warning', at: warnAt(target.responseMinutes) });
    out.push({ milestone: 'response_breach', at: incident.responseDueAt });
  }
  if (incident.resolutionDueAt && !incident.slaBreachedAt) {
    if (!incident.slaWarnedAt && target) out.push({ milestone: 'resolution_warning', at: warnAt(target.resolutionMinutes) });
    out.push({ milestone: 'resolution_breach', at: incident.resolutionDueAt });
  }
  return out;
}
