import type { Tx } from '../db/database.js';
import { pickText } from '../broadcast/messages.js';
import { formatMajorIncidentNumber } from '../major/records.js';
import type { ServiceCatalog } from '../services/catalog.js';
import { decide, mayShowIncident } from '../subscriptions/policy.js';
import type { StatusLanguage } from './locales.js';
import type { ServiceState, StatusView, UpdateStatus } from './render.js';
import { type DownInterval, uptimeBars } from './uptime.js';

const PUBLIC = { kind: 'status_page', clearance: 'public' } as const;
const DAY = 86_400_000;

/**
 * What the status page, its feeds and its JSON show, read in one transaction. Everything goes through the
 * confidentiality policy as a public audience: restricted major incidents and restricted updates never appear,
 * not even as uptime (an outage's existence can be a detail).
 */
export async function buildStatusView(tx: Tx, catalog: ServiceCatalog, language: StatusLanguage, now = new Date()): Promise<StatusView> {
  const since = new Date(now.getTime() - 90 * DAY);
  const majors = (await tx.majorIncident.findMany({
    where: { status: { in: ['declared', 'resolved'] }, restricted: false, OR: [{ resolvedAt: null }, { resolvedAt: { gte: since } }] },
    orderBy: { declaredAt: 'desc' },
    select: { id: true, number: true, title: true, serviceId: true, status: true, restricted: true, declaredAt: true, resolvedAt: true, createdAt: true },
  })).filter((m) => mayShowIncident(m.restricted, PUBLIC));
  const active = majors.filter((m) => m.status === 'declared');
  const updates = active.length
    ? await tx.majorIncidentUpdate.findMany({ where: { majorIncidentId: { in: active.map((m) => m.id) }, automatic: false }, orderBy: { createdAt: 'desc' } })
    : [];
  const maintenance = await tx.maintenance.findMany({ where: { endsAt: { gte: since } }, orderBy: { startsAt: 'asc' } });
  const nameOf = (id: string) => catalog.find(id)?.name[language] ?? id;
  const incidents = active.map((m) => {
    const shown = updates
      .filter((u) => u.majorIncidentId === m.id && decide({ updateRestricted: u.restricted, incidentRestricted: m.restricted }, PUBLIC) === 'full')
      .map((u) => ({ status: u.status as UpdateStatus, text: pickText(u.publicText as Record<string, string>, language).text, at: u.createdAt }));
    return { number: formatMajorIncidentNumber(m.number), title: m.title, serviceName: nameOf(m.serviceId), status: shown[0]?.status ?? 'investigating', since: m.declaredAt ?? m.createdAt, updates: shown, serviceId: m.serviceId };
  });
  const services = catalog.services.map((s) => {
    const intervals: DownInterval[] = [
      ...majors.filter((m) => m.serviceId === s.id).map((m) => ({ kind: 'outage' as const, start: m.declaredAt ?? m.createdAt, ...(m.resolvedAt ? { end: m.resolvedAt } : {}) })),
      ...maintenance.filter((w) => w.serviceId === s.id).map((w) => ({ kind: 'maintenance' as const, start: w.startsAt, end: w.endsAt })),
    ];
    const bars = uptimeBars(intervals, now);
    const open = incidents.filter((i) => i.serviceId === s.id);
    const inMaintenance = maintenance.some((w) => w.serviceId === s.id && w.startsAt <= now && w.endsAt > now);
    const state: ServiceState = open.length ? (open.every((i) => i.status === 'monitoring' || i.status === 'resolved') ? 'degraded' : 'outage') : inMaintenance ? 'maintenance' : 'operational';
    return { id: s.id, name: s.name[language], state, uptimePercent: bars.percent, days: bars.days };
  });
  return {
    language,
    generatedAt: now,
    services,
    incidents: incidents.map(({ serviceId: _s, ...i }) => i),
    maintenance: maintenance.filter((w) => w.endsAt > now).map((w) => ({ serviceName: nameOf(w.serviceId), title: pickText(w.title as Record<string, string>, language).text, startsAt: w.startsAt, endsAt: w.endsAt })),
  };
}

/** The JSON endpoint's shape (dates as ISO strings). */
export function statusJson(view: StatusView) {
  return {
    generatedAt: view.generatedAt.toISOString(),
    language: view.language,
    services: view.services.map((s) => ({ id: s.id, name: s.name, state: s.state, uptime90d: s.uptimePercent, days: s.days })),
    incidents: view.incidents.map((i) => ({ ...i, since: i.since.toISOString(), updates: i.updates.map((u) => ({ ...u, at: u.at.toISOString() })) })),
    maintenance: view.maintenance.map((m) => ({ ...m, startsAt: m.startsAt.toISOString(), endsAt: m.endsAt.toISOString() })),
  };
}
