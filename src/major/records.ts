/**
 * Typed reads of major incidents and their child incidents, shared by clustering, alerts, updates and the
 * status page. Every helper takes the caller's transaction (or the root client outside one).
 */
import type { Incident, MajorIncident, Tx } from '../db/database.js';

export type MajorIncidentStatus = MajorIncident['status'];
/** Candidates and declared major incidents: what new reports are compared with and the status page shows. */
export const ACTIVE_MAJOR_STATUSES: MajorIncidentStatus[] = ['candidate', 'declared'];

/** Major incidents are numbered MI-1, MI-2… */
export const formatMajorIncidentNumber = (n: number): string => `MI-${n}`;

export function parseMajorIncidentNumber(text: string): number | undefined {
  const m = /\bMI-?(\d{1,9})\b/i.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** By uuid or by its number ("MI-12", "12"). */
export async function getMajorIncident(tx: Tx, idOrNumber: string): Promise<MajorIncident | null> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrNumber)) {
    return tx.majorIncident.findUnique({ where: { id: idOrNumber } });
  }
  const number = /^\d+$/.test(idOrNumber) ? Number(idOrNumber) : parseMajorIncidentNumber(idOrNumber);
  if (number === undefined || !Number.isSafeInteger(number) || number > 2_147_483_647) return null;
  return tx.majorIncident.findUnique({ where: { number } });
}

/** The child incidents, oldest first. */
export async function listLinkedIncidents(tx: Tx, majorIncidentId: string): Promise<Incident[]> {
  return tx.incident.findMany({ where: { majorIncidentId }, orderBy: { createdAt: 'asc' } });
}

/** Candidates and declared major incidents, newest first; optionally of one service. */
export async function listActiveMajorIncidents(tx: Tx, serviceId?: string): Promise<MajorIncident[]> {
  return tx.majorIncident.findMany({
    where: { status: { in: ACTIVE_MAJOR_STATUSES }, ...(serviceId ? { serviceId } : {}) },
    orderBy: { createdAt: 'desc' },
  });
}
