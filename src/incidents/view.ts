import type { IncidentView } from '../../channels/types.js';
import type { Incident, Tx } from '../db/database.js';
import { redactSecrets } from '../security/redact.js';
import { formatIncidentNumber } from './number.js';

/**
 * The view handed to channels: agent workspaces are broad audiences, so pasted secrets (passwords, tokens,
 * card numbers) are masked. The stored incident keeps the original.
 */
export async function toChannelIncidentView(tx: Tx, incident: Incident): Promise<IncidentView> {
  const view = await toIncidentView(tx, incident);
  return {
    ...view,
    title: redactSecrets(view.title),
    description: redactSecrets(view.description),
    resolution: view.resolution === null ? null : redactSecrets(view.resolution),
  };
}

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
    type: incident.type,
    resolution: incident.resolution,
    reporter: { id: incident.reporterId, name: reporter?.displayName ?? null, email: reporter?.email ?? null },
    originChannel: origin?.channel ?? null,
    responseDueAt: incident.responseDueAt,
    resolutionDueAt: incident.resolutionDueAt,
    createdAt: incident.createdAt,
  };
}
