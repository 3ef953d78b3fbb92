import type { ChannelIdentity, Incident, IncidentEvent } from '../../db/database.js';
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
    ci: i.ciId, // [major] the configuration item named in the report (dialogs/services.yaml)
    majorIncidentId: i.majorIncidentId, // [major] set when linked to a major incident
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
    // Due times already include paused time and, with a business-hours calendar, closed hours.
    sla: {
      responseDueAt: iso(i.responseDueAt),
      firstRespondedAt: iso(i.firstRespondedAt),
      responseWarnedAt: iso(i.responseWarnedAt),
      responseBreachedAt: iso(i.responseBreachedAt),
      resolutionDueAt: iso(i.resolutionDueAt),
      resolutionWarnedAt: iso(i.slaWarnedAt),
      resolutionBreachedAt: iso(i.slaBreachedAt),
      /** Set while the clocks are stopped (pending: waiting on the reporter). */
      pausedSince: iso(i.slaPausedAt),
      pausedMinutes: i.slaPausedMinutes,
    },
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
    closedAt: i.closedAt?.toISOString() ?? null,
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function presentEvent(e: IncidentEvent) {
  return { id: e.id, type: e.type, actor: e.actor, internal: e.internal, body: e.body, data: e.data, createdAt: e.createdAt.toISOString() };
}

/** A reporter's address that is failing (e.g. mail bounced): agents see why their replies are not delivered. */
export function presentDeliveryStatus(i: ChannelIdentity) {
  return {
    channel: i.channel,
    address: i.externalId,
    failingSince: i.failingSince?.toISOString() ?? null,
    lastBounceAt: i.lastBounceAt?.toISOString() ?? null,
    status: i.lastBounceStatus,
    reason: i.lastBounceReason,
    count: i.bounceCount,
    // Same rule as the sender: anything but a transient 4.x.x stops further mail.
    hard: !i.lastBounceStatus?.startsWith('4'),
  };
}
