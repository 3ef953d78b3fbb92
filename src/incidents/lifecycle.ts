import { FrontlineError } from '../errors.js';

/**
 * The incident lifecycle (ITIL): New → Assigned → In progress ⇄ Pending → Resolved → Closed, with Reopened and
 * Cancelled. Any change of status goes through `assertTransition`.
 */
export const STATUSES = ['new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed', 'reopened', 'cancelled'] as const;
export type IncidentStatus = (typeof STATUSES)[number];

const ALLOWED: Record<IncidentStatus, readonly IncidentStatus[]> = {
  new: ['assigned', 'in_progress', 'pending', 'resolved', 'cancelled'],
  assigned: ['in_progress', 'pending', 'resolved', 'cancelled'],
  in_progress: ['assigned', 'pending', 'resolved', 'cancelled'],
  pending: ['assigned', 'in_progress', 'resolved', 'cancelled'],
  resolved: ['closed', 'reopened'],
  reopened: ['assigned', 'in_progress', 'pending', 'resolved', 'cancelled'],
  closed: [],
  cancelled: [],
};

export const OPEN_STATUSES: readonly IncidentStatus[] = ['new', 'assigned', 'in_progress', 'pending', 'reopened'];

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTransition(from: IncidentStatus, to: IncidentStatus): void {
  if (!canTransition(from, to)) {
    const options = ALLOWED[from].length ? ALLOWED[from].join(', ') : 'none (final state)';
    throw new FrontlineError('INVALID_TRANSITION', `cannot change status from ${from} to ${to}; allowed: ${options}`);
  }
}

export const isStatus = (v: unknown): v is IncidentStatus => typeof v === 'string' && STATUSES.includes(v as IncidentStatus);
