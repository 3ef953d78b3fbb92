/**
 * Monitoring alerts → incidents. One row per fingerprint makes redelivery and repeats harmless. A firing alert
 * opens an incident on its service (mapped by services.yaml `alertLabels`) and puts it in the service's active
 * major incident, or raises a candidate: monitoring has confirmed an outage, so human reports of that service
 * join it at once (src/major/cluster.ts). A resolved alert adds a timeline entry and, when configured,
 * resolves the incident. An alert firing again soon after resolving (flapping) reopens the same incident.
 */
import type { MonitoringAlert, Tx } from '../db/database.js';
import type { IncidentService } from '../incidents/service.js';
import { OPEN_STATUSES, type IncidentStatus } from '../incidents/lifecycle.js';
import type { MajorIncidentService } from '../major/service.js';
import { listActiveMajorIncidents } from '../major/records.js';
import type { NormalisedAlert } from './payload.js';

export interface AlertSettings {
  resolveIncidents: boolean;
  flapWindowMinutes: number;
}

export type AlertOutcome = 'opened' | 'duplicate' | 'refired' | 'resolved' | 'ignored' | 'unmapped';

/** Flaps after which an incident is no longer resolved automatically: a flapping alert proves nothing. */
const FLAPPING = 2;
const IMPACT = { critical: 1, high: 1, medium: 2, low: 3 } as const;

export class AlertService {
  constructor(
    private readonly incidents: IncidentService,
    private readonly majors: MajorIncidentService,
    private readonly settings: AlertSettings,
  ) {}

  async receive(tx: Tx, alert: NormalisedAlert, now = new Date()): Promise<AlertOutcome> {
    const existing = await tx.monitoringAlert.findUnique({ where: { fingerprint: alert.fingerprint } });
    if (alert.status === 'firing') {
      if (!existing) return this.open(tx, alert, now, undefined);
      if (existing.status === 'firing') {
        await tx.monitoringAlert.update({ where: { id: existing.id }, data: { lastSeenAt: now } });
        return 'duplicate';
      }
      return this.refire(tx, existing, alert, now);
    }
    if (!existing || existing.status === 'resolved') return 'ignored';
    return this.resolve(tx, existing, now);
  }

  private mapping(alert: NormalisedAlert): { serviceId: string; ciId: string | null } | undefined {
    if (alert.serviceId) {
      const service = this.majors.catalog.find(alert.serviceId);
      return service ? { serviceId: service.id, ciId: alert.ciId && service.cis.some((c) => c.id === alert.ciId) ? alert.ciId : null } : undefined;
    }
    const match = this.majors.catalog.matchLabels(alert.labels);
    return match ? { serviceId: match.service.id, ciId: match.ci?.id ?? null } : undefined;
  }

  private async open(tx: Tx, alert: NormalisedAlert, now: Date, row: MonitoringAlert | undefined): Promise<AlertOutcome> {
    const mapped = this.mapping(alert);
    const data = {
      source: alert.source, name: alert.name, status: 'firing', labels: alert.labels, annotations: alert.annotations,
      serviceId: mapped?.serviceId ?? null, ciId: mapped?.ciId ?? null, startsAt: alert.startsAt, resolvedAt: null, lastSeenAt: now, flapCount: 0,
    };
    if (!mapped) {
      // Recorded (so it is visible and deduplicated) but no incident: nothing in services.yaml owns it.
      if (row) await tx.monitoringAlert.update({ where: { id: row.id }, data: { ...data, incidentId: null } });
      else await tx.monitoringAlert.create({ data: { fingerprint: alert.fingerprint, ...data } });
      return 'unmapped';
    }
    const service = this.majors.catalog.find(mapped.serviceId)!;
    const reporterId = await monitoringContact(tx, alert.source);
    const summary = alert.summary ? `: ${alert.summary}` : '';
    const labelText = Object.entries(alert.labels).map(([k, v]) => `${k}=${v}`).join(', ');
    const incident = await this.incidents.create(tx, {
      title: `[alert] ${alert.name}${summary}`.slice(0, 200),
      description: `Monitoring alert ${alert.name} is firing since ${alert.startsAt.toISOString()}${summary}\nLabels: ${labelText}`,
      reporterId,
      service: service.id,
      assignmentGroup: service.ownerGroup,
      impact: IMPACT[service.criticality],
      urgency: service.criticality === 'critical' ? 1 : 2,
      tier: 'L2',
    }, now);
    if (mapped.ciId) await tx.incident.update({ where: { id: incident.id }, data: { ciId: mapped.ciId } });
    const saved = row
      ? await tx.monitoringAlert.update({ where: { id: row.id }, data: { ...data, incidentId: incident.id } })
      : await tx.monitoringAlert.create({ data: { fingerprint: alert.fingerprint, ...data, incidentId: incident.id } });
    await tx.incidentEvent.create({ data: { incidentId: incident.id, type: 'alert_firing', actor: `monitoring:${alert.source}`, internal: true, body: `${alert.name} firing`, data: { alertId: saved.id, fingerprint: alert.fingerprint } } });
    // Clustering ran when the incident was created; if it did not place it, the alert decides.
    const placed = await tx.incident.findUniqueOrThrow({ where: { id: incident.id }, select: { majorIncidentId: true } });
    if (!placed.majorIncidentId) {
      const active = (await listActiveMajorIncidents(tx, service.id)).find((m) => !m.ciId || !mapped.ciId || m.ciId === mapped.ciId);
      const reason = `monitoring alert ${alert.name} firing on ${service.id}`;
      if (active) await this.majors.link(tx, active.id, [incident.id], `monitoring:${alert.source}`, reason);
      else await this.majors.raise(tx, service, mapped.ciId, `${alert.name}${summary}`, [incident.id], `monitoring:${alert.source}`, reason);
    }
    return 'opened';
  }

  private async refire(tx: Tx, row: MonitoringAlert, alert: NormalisedAlert, now: Date): Promise<AlertOutcome> {
    const windowMs = this.settings.flapWindowMinutes * 60_000;
    const recent = row.resolvedAt && windowMs > 0 && now.getTime() - row.resolvedAt.getTime() <= windowMs;
    const incident = row.incidentId ? await tx.incident.findUnique({ where: { id: row.incidentId } }) : null;
    if (!recent || !incident || !['resolved', ...OPEN_STATUSES].includes(incident.status as IncidentStatus)) return this.open(tx, alert, now, row);
    // Flapping: the same incident again, one timeline entry, no new incident.
    const flapCount = row.flapCount + 1;
    await tx.monitoringAlert.update({ where: { id: row.id }, data: { status: 'firing', resolvedAt: null, lastSeenAt: now, flapCount } });
    if (incident.status === 'resolved') await this.incidents.update(tx, incident.id, { status: 'reopened' }, `monitoring:${row.source}`, now);
    await tx.incidentEvent.create({ data: { incidentId: incident.id, type: 'alert_firing', actor: `monitoring:${row.source}`, internal: true, body: `${row.name} firing again (flap ${flapCount}${flapCount >= FLAPPING ? ', flapping: not resolved automatically' : ''})`, data: { alertId: row.id, flapCount } } });
    return 'refired';
  }

  private async resolve(tx: Tx, row: MonitoringAlert, now: Date): Promise<AlertOutcome> {
    await tx.monitoringAlert.update({ where: { id: row.id }, data: { status: 'resolved', resolvedAt: now, lastSeenAt: now } });
    if (!row.incidentId) return 'resolved';
    await tx.incidentEvent.create({ data: { incidentId: row.incidentId, type: 'alert_resolved', actor: `monitoring:${row.source}`, internal: true, body: `${row.name} resolved`, data: { alertId: row.id } } });
    const incident = await tx.incident.findUnique({ where: { id: row.incidentId } });
    const flapping = row.flapCount >= FLAPPING;
    if (this.settings.resolveIncidents && !flapping && incident && OPEN_STATUSES.includes(incident.status as IncidentStatus)) {
      await this.incidents.update(tx, incident.id, { status: 'resolved', resolution: `Monitoring alert ${row.name} resolved` }, `monitoring:${row.source}`, now);
    }
    return 'resolved';
  }
}

/** The contact monitoring incidents are reported by, one per source (found by its channel identity). */
async function monitoringContact(tx: Tx, source: string): Promise<string> {
  const identity = await tx.channelIdentity.findUnique({ where: { channel_externalId: { channel: 'monitoring', externalId: source } } });
  if (identity) return identity.contactId;
  const contact = await tx.contact.create({ data: { displayName: `Monitoring (${source})` } });
  await tx.channelIdentity.create({ data: { channel: 'monitoring', externalId: source, contactId: contact.id } });
  return contact.id;
}
