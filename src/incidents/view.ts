import type { IncidentView } from '../../channels/types.js';
import type { Incident, Tx } from '../db/database.js';
import { formatIncidentNumber } from './number.js';

/** The channel-facing view of an incident (reporter name and origin channel joined in). */
export async function toIncidentView(tx: Tx, incident: Incident): Promise<IncidentView> {
  const [reporter, origin] = await Promise.all([
    tx.contact.findUnique({ where: { id: incident.reporterId }, select: { id: true, displayName: true, email: true } }),
    incident.originConversationId
      ? tx.conversation.findUnique({ where: { id: incident.originConversationId }, select: { channel: true } })
      : null,
  ]);
  return {
    id: incident.id,
    number: formatIncidentNumber(incident.number),
    title: incident.title,
    description: incident.description,
    category: incident.category,
    service: incident.service,
    priority: incident.priority,
    impact: incident.impact,
    urgency: incident.urgency,
    status: incident.status,
    tier: incident.tier,
    assignee: incident.assignee,
    assignmentGroup: incident.assignmentGroup,
    confidential: incident.confidential,
    resolution: incident.resolution,
    reporter: { id: incident.reporterId, name: reporter?.displayName ?? null, email: reporter?.email ?? null },
    originChannel: origin?.channel ?? null,
    responseDueAt: incident.responseDueAt,
    resolutionDueAt: incident.resolutionDueAt,
    createdAt: incident.createdAt,
  };
}
