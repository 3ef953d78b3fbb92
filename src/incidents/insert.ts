import { randomUUID } from 'node:crypto';
import { asJson, coalesced, distinctRuns } from '../db/coalesce.js';
import type { Incident, Tx } from '../db/database.js';

/** A new incident's row, everything decided (priority, due times) by the service. */
export interface IncidentRow {
  title: string;
  description: string;
  reporterId: string;
  originConversationId: string | null;
  category: string | null;
  service: string | null;
  impact: number;
  urgency: number;
  priority: string;
  tier: string;
  assignmentGroup: string | null;
  confidential: boolean;
  type: 'incident' | 'request';
  responseDueAt: Date | null;
  resolutionDueAt: Date | null;
  createdAt: Date;
}

/**
 * Inserts an incident with its `created` timeline entry. Incidents filed by concurrent flows of one batch
 * transaction share the statement (numbers are drawn in the order they were filed); the rows are read back
 * through the ORM once per batch, so listeners get the same `Incident` objects as everywhere else. Times travel
 * as UTC ISO strings read as `timestamp` (the zone is dropped), which is how the ORM stores them.
 */
export function insertIncident(tx: Tx, row: IncidentRow): Promise<Incident> {
  return coalesced(tx, insertIncidents).load(row);
}

async function insertIncidents(tx: Tx, rows: readonly IncidentRow[]): Promise<(Incident | Error)[]> {
  const withIds = rows.map((r) => ({
    id: randomUUID(), title: r.title, description: r.description, reporter_id: r.reporterId, origin_conversation_id: r.originConversationId,
    category: r.category, service: r.service, impact: r.impact, urgency: r.urgency, priority: r.priority, tier: r.tier,
    assignment_group: r.assignmentGroup, confidential: r.confidential, type: r.type, response_due_at: r.responseDueAt, resolution_due_at: r.resolutionDueAt,
    created_at: r.createdAt, event: { priority: r.priority, impact: r.impact, urgency: r.urgency, ...(r.type === 'request' ? { type: r.type } : {}) },
  }));
  await tx.$executeRawUnsafe(
    `WITH r AS (
       SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id uuid, title text, description text, reporter_id uuid, origin_conversation_id uuid,
           category text, service text, impact int, urgency int, priority text, tier text, assignment_group text, confidential boolean, type text,
           response_due_at timestamp, resolution_due_at timestamp, created_at timestamp, event jsonb))
         WITH ORDINALITY AS x(id, title, description, reporter_id, origin_conversation_id, category, service, impact, urgency, priority, tier,
                              assignment_group, confidential, type, response_due_at, resolution_due_at, created_at, event, ord)
     ), ins AS (
       INSERT INTO incident (id, title, description, reporter_id, origin_conversation_id, category, service, impact, urgency, priority, tier,
                             assignment_group, confidential, type, response_due_at, resolution_due_at, created_at, updated_at)
       SELECT id, title, description, reporter_id, origin_conversation_id, category, service, impact, urgency, priority, tier,
              assignment_group, confidential, type::incident_type, response_due_at, resolution_due_at, created_at, created_at
         FROM r ORDER BY ord
       RETURNING id
     )
     INSERT INTO incident_event (id, incident_id, type, actor, internal, data, created_at)
     SELECT gen_random_uuid(), ins.id, 'created', 'bot', false, r.event, r.created_at FROM ins JOIN r ON r.id = ins.id`,
    asJson(withIds),
  );
  const found = new Map((await tx.incident.findMany({ where: { id: { in: withIds.map((r) => r.id) } } })).map((i) => [i.id, i]));
  return withIds.map((r) => found.get(r.id) ?? new Error(`incident ${r.id} was not stored`));
}

/** Links a conversation to the incident it filed. */
export function linkIncident(tx: Tx, conversationId: string, incidentId: string): Promise<void> {
  return coalesced(tx, linkIncidents).load({ conversationId, incidentId });
}

async function linkIncidents(tx: Tx, links: readonly { conversationId: string; incidentId: string }[]): Promise<void[]> {
  await distinctRuns(links, (l) => l.conversationId, async (part) => {
    await tx.$executeRawUnsafe(
      `UPDATE conversation c SET incident_id = l.incident_id, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS l(conversation_id uuid, incident_id uuid) WHERE c.id = l.conversation_id`,
      asJson(part.map((l) => ({ conversation_id: l.conversationId, incident_id: l.incidentId }))),
    );
    return part;
  });
  return links.map(() => undefined);
}
