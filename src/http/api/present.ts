import type { Incident, IncidentEvent } from '../../db/database.js';
import { formatIncidentNumber } from '../../incidents/number.js';

/** Public JSON shape of an incident. Confidential details are withheld from read-only tokens. */
export function presentIncident(i: Incident, options: { redactConfidential: boolean }) {
  const hide = i.confidential && options.redactConfidential;
  return {
    id: i.id,
    number: formatIncidentNumber(i.number),
    title: hide ? '(confidential)' : i.title,
    description: hide ? '(confidential)' : i.description,
    category: i.category,
    service: i.service,
    impact: i.impact,
    urgency: i.urgency,
    priority: i.priority,
    status: i.status,
    tier: i.tier,
    assignee: i.assignee,
    assignmentGroup: i.assignmentGroup,
    confidential: i.confidential,
    resolution: hide ? null : i.resolution,
    reporterId: i.reporterId,
    originConversationId: i.originConversationId,
    sla: {
      responseDueAt: i.responseDueAt?.toISOString() ?? null,
      resolutionDueAt: i.resolutionDueAt?.toISOString() ?? null,
      firstRespondedAt: i.firstRespondedAt?.toISOString() ?? null,
    },
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
    closedAt: i.closedAt?.toISOString() ?? null,
  };
}

export function presentEvent(e: IncidentEvent) {
  return { id: e.id, type: e.type, actor: e.actor, internal: e.internal, body: e.body, data: e.data, createdAt: e.createdAt.toISOString() };
}
