import type { IncidentChange } from '../incidents/service.js';
import type { Tx } from '../db/database.js';
import { formatIncidentNumber } from '../incidents/number.js';
import { auditActor, writeAudit } from './log.js';

/** Actors that are the system or the reporter, not a person or token acting on the desk's side. */
const NOT_AUDITED = new Set(['bot', 'system', 'sla', 'auto-close', 'reporter']);
const VIA = /^(api|console|slack|teams|cli|email|whatsapp):/;

/**
 * Incident changes converge in IncidentService, whichever channel or API made them: this listener runs in
 * the change's transaction and appends its audit entry there, so a change and its audit row commit together.
 */
export async function auditIncidentChange(tx: Tx, change: IncidentChange): Promise<void> {
  if (change.kind === 'created' || change.kind === 'reporter_message' || NOT_AUDITED.has(change.actor)) return;
  const request = auditActor();
  const target = formatIncidentNumber(change.incident.number);
  const via = request?.via ?? VIA.exec(change.actor)?.[1] ?? 'channel';
  const actor = request?.actor ?? change.actor;
  if (change.kind === 'updated') {
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const [field, { from, to }] of Object.entries(change.changes ?? {})) {
      before[field] = from;
      after[field] = to;
    }
    await writeAudit(tx, { actor, via, action: 'incident.update', target, before, after, address: request?.address });
    return;
  }
  const action = change.kind === 'note' ? 'incident.note' : 'incident.reply';
  await writeAudit(tx, { actor, via, action, target, after: { text: change.text ?? '', author: change.actor }, address: request?.address });
}
