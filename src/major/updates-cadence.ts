import type { Tx } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { ServiceCatalog } from '../services/catalog.js';
import type { Priority } from '../sla/priority.js';
import { broadcastWords } from '../broadcast/messages.js';
import { formatMajorIncidentNumber } from './records.js';
import { postUpdate } from './updates.js';

const BY_CRITICALITY: Record<string, Priority> = { critical: 'P1', high: 'P2', medium: 'P3', low: 'P4' };

/** The most urgent priority among the linked incidents, else the service's criticality. */
export function majorPriority(linked: readonly string[], criticality: string | undefined): Priority {
  const best = [...linked].filter((p) => /^P[1-5]$/.test(p)).sort()[0];
  return (best as Priority | undefined) ?? BY_CRITICALITY[criticality ?? ''] ?? 'P3';
}

/** When the next update is due: the cadence after the last update (or the declaration). */
export function nextUpdateDue(lastAt: Date, priority: Priority, cadenceMinutes: Record<Priority, number>): Date {
  return new Date(lastAt.getTime() + cadenceMinutes[priority] * 60_000);
}

export interface CadenceState {
  priority: Priority;
  lastUpdateAt: Date;
  nextUpdateDueAt: Date;
  overdue: boolean;
}

export async function cadenceOf(tx: Tx, majorIncidentId: string, catalog: ServiceCatalog, cadence: Record<Priority, number>, now = new Date()): Promise<CadenceState | undefined> {
  const mi = await tx.majorIncident.findUnique({ where: { id: majorIncidentId }, select: { status: true, serviceId: true, declaredAt: true, createdAt: true } });
  if (!mi || mi.status !== 'declared') return undefined;
  const [linked, last] = await Promise.all([
    tx.incident.findMany({ where: { majorIncidentId }, select: { priority: true } }),
    tx.majorIncidentUpdate.findFirst({ where: { majorIncidentId }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } }),
  ]);
  const priority = majorPriority(linked.map((l) => l.priority), catalog.find(mi.serviceId)?.criticality);
  const lastUpdateAt = last?.createdAt ?? mi.declaredAt ?? mi.createdAt;
  const nextUpdateDueAt = nextUpdateDue(lastUpdateAt, priority, cadence);
  return { priority, lastUpdateAt, nextUpdateDueAt, overdue: nextUpdateDueAt.getTime() <= now.getTime() };
}

/**
 * §8, run every minute (a pg-boss cron job): a declared major incident whose update is overdue gets an
 * automatic "still working on it" to its linked reporters (through the same broadcast path, so exactly once),
 * and the commander — who declared it — is reminded on the timeline of every linked incident (internal), which
 * the cards show. The major incident's row lock and the fresh "last update" make it once per cadence, on any
 * number of instances.
 */
export async function remindOverdue(run: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, catalog: ServiceCatalog, cadence: Record<Priority, number>, logger: Logger, now = new Date()): Promise<number> {
  const declared = await run((tx) => tx.majorIncident.findMany({ where: { status: 'declared' }, select: { id: true } }));
  let reminded = 0;
  for (const { id } of declared) {
    const done = await run(async (tx) => {
      await tx.$executeRaw`SELECT 1 FROM major_incident WHERE id = ${id}::uuid FOR UPDATE`;
      const state = await cadenceOf(tx, id, catalog, cadence, now);
      if (!state?.overdue) return false;
      const mi = await tx.majorIncident.findUniqueOrThrow({ where: { id }, select: { number: true, declaredBy: true } });
      const texts = Object.fromEntries((['en', 'sv', 'es', 'pt'] as const).map((l) => [l, broadcastWords(l).stillWorking]));
      const last = await tx.majorIncidentUpdate.findFirst({ where: { majorIncidentId: id, automatic: false }, orderBy: { createdAt: 'desc' }, select: { status: true } });
      await postUpdate(tx, id, { status: (last?.status as 'investigating' | undefined) ?? 'investigating', publicText: texts }, 'system', { automatic: true, scope: 'reporters' });
      const linked = await tx.incident.findMany({ where: { majorIncidentId: id }, select: { id: true } });
      const number = formatMajorIncidentNumber(mi.number);
      await tx.incidentEvent.createMany({
        data: linked.map((l) => ({
          incidentId: l.id, type: 'major_update_overdue', actor: 'system', internal: true,
          body: `${number}: no update within the ${state.priority} cadence (${cadence[state.priority]} min)${mi.declaredBy ? `; ${mi.declaredBy}, please post one` : ''}. Linked reporters were told we are still working on it.`,
          data: { majorIncident: number, dueAt: state.nextUpdateDueAt.toISOString(), commander: mi.declaredBy },
        })),
      });
      return true;
    });
    if (done) reminded++;
  }
  if (reminded) logger.info({ reminded }, 'overdue major-incident updates: reporters told, commanders reminded');
  return reminded;
}
