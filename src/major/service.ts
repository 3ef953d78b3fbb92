/**
 * Major incidents on the database: clusters new incidents as they are filed (inside the filing transaction),
 * raises candidates, declares, links, unlinks and merges. Decisions come from the pure `decideCluster`; this
 * module loads what it compares with and records what it decided (timeline entries carry the reason).
 */
import type { Incident, MajorIncident, Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { OPEN_STATUSES } from '../incidents/lifecycle.js';
import { formatIncidentNumber } from '../incidents/number.js';
import type { ServiceCatalog, ServiceDef } from '../services/catalog.js';
import { type ClusterDecision, type ClusterMember, clusterAction, decideCluster } from './cluster.js';
import { ACTIVE_MAJOR_STATUSES, formatMajorIncidentNumber, getMajorIncident } from './records.js';
import { reportService } from './report-service.js';
import type { PerCriticality } from './settings.js';

/** Most recent reports a new one is compared with: enough for any outage's vocabulary, bounded in cost. */
const MAX_MEMBERS = 200;

export interface MajorSettings {
  threshold: PerCriticality;
  windowMinutes: PerCriticality;
  autoDeclare: boolean;
}

export type MajorChangeKind = 'candidate' | 'declared' | 'linked' | 'unlinked' | 'merged' | 'dismissed' | 'resolved';
export interface MajorChange {
  major: MajorIncident;
  kind: MajorChangeKind;
  actor: string;
  incidentIds?: string[];
  reason?: string;
}
/** Reacts inside the same transaction (e.g. the Slack candidate card, queued through the outbox). */
export type MajorListener = (tx: Tx, change: MajorChange) => Promise<void>;

export interface ClusterOutcome {
  decision: ClusterDecision | null;
  major: MajorIncident | null;
  action: 'joined' | 'created' | 'none';
}

export class MajorIncidentService {
  private readonly listeners: MajorListener[] = [];
  /**
   * One clustering at a time per service in this process: a batch of mails runs its flows concurrently in ONE
   * transaction, where the advisory lock (held by the transaction) cannot order them.
   */
  private readonly serviceQueues = new Map<string, Promise<unknown>>();

  constructor(
    readonly catalog: ServiceCatalog,
    private readonly settings: MajorSettings,
  ) {}

  onChange(listener: MajorListener): void {
    this.listeners.push(listener);
  }

  private async emit(tx: Tx, change: MajorChange): Promise<void> {
    for (const l of this.listeners) await l(tx, change);
  }

  windowMs(service: ServiceDef): number {
    return this.settings.windowMinutes[service.criticality] * 60_000;
  }

  threshold(service: ServiceDef): number {
    return this.settings.threshold[service.criticality];
  }

  /** Serialises clustering of one service across transactions and instances (released at commit). */
  private async lockService(tx: Tx, serviceId: string): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`frontline:major:${serviceId}`}))`;
  }

  /** Recent open incidents of the service (newest first), with the major incident each is linked to if active. */
  private async members(tx: Tx, service: ServiceDef, now: Date, excludeId?: string): Promise<{ members: ClusterMember[]; alertGroups: Set<string> }> {
    const since = new Date(now.getTime() - this.windowMs(service));
    const rows = await tx.incident.findMany({
      where: { service: service.id, createdAt: { gte: since }, status: { in: [...OPEN_STATUSES] }, ...(excludeId ? { id: { not: excludeId } } : {}) },
      orderBy: { createdAt: 'desc' },
      take: MAX_MEMBERS,
      select: { id: true, title: true, description: true, ciId: true, createdAt: true, majorIncidentId: true, majorIncident: { select: { status: true } } },
    });
    const members = rows.map((r) => ({
      id: r.id,
      text: `${r.title}\n${r.description}`,
      serviceId: service.id,
      ciId: r.ciId,
      at: r.createdAt,
      groupId: r.majorIncidentId && r.majorIncident && ACTIVE_MAJOR_STATUSES.includes(r.majorIncident.status) ? r.majorIncidentId : null,
    }));
    const firing = await tx.monitoringAlert.findMany({ where: { serviceId: service.id, status: 'firing', incidentId: { not: null } }, select: { incidentId: true } });
    const alertIncidents = new Set(firing.map((f) => f.incidentId!));
    const alertGroups = new Set(members.filter((m) => m.groupId && alertIncidents.has(m.id)).map((m) => m.groupId!));
    return { members, alertGroups };
  }

  /** Called for every new incident inside its transaction: the service/CI are recorded, then clustering decides. */
  async onIncidentCreated(tx: Tx, incident: Incident): Promise<ClusterOutcome> {
    const none: ClusterOutcome = { decision: null, major: null, action: 'none' };
    // A confidential report (security, HR) keeps its own triage and never joins a cluster others can see.
    if (incident.majorIncidentId || incident.confidential) return none;
    const text = `${incident.title}\n${incident.description}`;
    const { serviceId, ciId } = reportService(this.catalog, text, incident.service);
    const service = serviceId ? this.catalog.find(serviceId) : undefined;
    if (!service) return none;
    if (incident.service !== service.id || incident.ciId !== ciId) {
      await tx.incident.update({ where: { id: incident.id }, data: { service: service.id, ciId } });
    }
    return this.serialised(service.id, () => this.cluster(tx, incident, text, service, ciId));
  }

  private async serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.serviceQueues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(fn);
    this.serviceQueues.set(key, next);
    try {
      return await next;
    } finally {
      if (this.serviceQueues.get(key) === next) this.serviceQueues.delete(key);
    }
  }

  private async cluster(tx: Tx, incident: Incident, text: string, service: ServiceDef, ciId: string | null): Promise<ClusterOutcome> {
    await this.lockService(tx, service.id);
    const now = incident.createdAt;
    const { members, alertGroups } = await this.members(tx, service, now, incident.id);
    const decision = decideCluster({ id: incident.id, text, serviceId: service.id, ciId, at: now }, members, { windowMs: this.windowMs(service), alertGroups });
    const action = clusterAction(decision, this.threshold(service));
    if (action.kind === 'join') {
      const major = await this.link(tx, action.groupId, [incident.id], 'clustering', decision.reason);
      return { decision, major, action: 'joined' };
    }
    if (action.kind === 'create') {
      const major = await this.raise(tx, service, ciId, incident.title, [...action.members, incident.id], 'clustering', decision.reason);
      return { decision, major, action: 'created' };
    }
    return { decision, major: null, action: 'none' };
  }

  /** A new candidate linking the incidents; declared at once on a critical service when configured. */
  async raise(tx: Tx, service: ServiceDef, ciId: string | null, title: string, incidentIds: string[], actor: string, reason: string): Promise<MajorIncident> {
    const restricted = (service.audience.clearance ?? 'public') === 'restricted';
    let major = await tx.majorIncident.create({ data: { serviceId: service.id, ciId, title: `${service.name.en}: ${title}`.slice(0, 200), restricted } });
    await tx.incident.updateMany({ where: { id: { in: incidentIds } }, data: { majorIncidentId: major.id } });
    const label = formatMajorIncidentNumber(major.number);
    await tx.incidentEvent.createMany({
      data: incidentIds.map((incidentId) => ({ incidentId, type: 'major_linked', actor, internal: true, body: `linked to ${label} (candidate): ${reason}`, data: { majorIncidentId: major.id, reason } })),
    });
    await this.emit(tx, { major, kind: 'candidate', actor, incidentIds, reason });
    if (this.settings.autoDeclare && service.criticality === 'critical') major = await this.declare(tx, major.id, 'auto-declare');
    return major;
  }

  async declare(tx: Tx, ref: string, actor: string, now = new Date()): Promise<MajorIncident> {
    const major = await this.require(tx, ref);
    if (major.status === 'declared') return major;
    if (major.status !== 'candidate') throw new FrontlineError('INVALID_TRANSITION', `${formatMajorIncidentNumber(major.number)} is ${major.status}; only a candidate can be declared`);
    const declared = await tx.majorIncident.update({ where: { id: major.id }, data: { status: 'declared', declaredAt: now, declaredBy: actor } });
    const children = await tx.incident.findMany({ where: { majorIncidentId: major.id }, select: { id: true } });
    await tx.incidentEvent.createMany({
      data: children.map((c) => ({ incidentId: c.id, type: 'major_declared', actor, internal: true, body: `${formatMajorIncidentNumber(major.number)} declared a major incident by ${actor}`, data: { majorIncidentId: major.id } })),
    });
    await this.emit(tx, { major: declared, kind: 'declared', actor, incidentIds: children.map((c) => c.id) });
    return declared;
  }

  async dismiss(tx: Tx, ref: string, actor: string): Promise<MajorIncident> {
    const major = await this.require(tx, ref);
    if (major.status !== 'candidate') throw new FrontlineError('INVALID_TRANSITION', `${formatMajorIncidentNumber(major.number)} is ${major.status}; only a candidate can be dismissed`);
    const dismissed = await tx.majorIncident.update({ where: { id: major.id }, data: { status: 'dismissed' } });
    // The reports go back to being ordinary incidents.
    const children = await tx.incident.findMany({ where: { majorIncidentId: major.id }, select: { id: true } });
    await tx.incident.updateMany({ where: { majorIncidentId: major.id }, data: { majorIncidentId: null } });
    await this.emit(tx, { major: dismissed, kind: 'dismissed', actor, incidentIds: children.map((c) => c.id) });
    return dismissed;
  }

  /** Links incidents (by id or INC number) as children; already linked ones move here. */
  async link(tx: Tx, ref: string, incidentRefs: string[], actor: string, reason = 'linked by an agent'): Promise<MajorIncident> {
    const major = await this.require(tx, ref);
    if (!ACTIVE_MAJOR_STATUSES.includes(major.status)) throw new FrontlineError('INVALID_TRANSITION', `${formatMajorIncidentNumber(major.number)} is ${major.status}`);
    const incidents = await Promise.all(incidentRefs.map((r) => this.findIncident(tx, r)));
    const moving = incidents.filter((i) => i.majorIncidentId !== major.id);
    if (moving.length === 0) return major;
    await tx.incident.updateMany({ where: { id: { in: moving.map((i) => i.id) } }, data: { majorIncidentId: major.id } });
    const label = formatMajorIncidentNumber(major.number);
    await tx.incidentEvent.createMany({
      data: moving.map((i) => ({ incidentId: i.id, type: 'major_linked', actor, internal: true, body: `linked to ${label}: ${reason}`, data: { majorIncidentId: major.id, reason } })),
    });
    await this.emit(tx, { major, kind: 'linked', actor, incidentIds: moving.map((i) => i.id), reason });
    return major;
  }

  /** Takes an incident out of its major incident (an agent's decision or the reporter's "no, different"). */
  async unlink(tx: Tx, incidentRef: string, actor: string, reason = 'unlinked'): Promise<{ incident: Incident; major: MajorIncident | null }> {
    const incident = await this.findIncident(tx, incidentRef);
    if (!incident.majorIncidentId) return { incident, major: null };
    const major = await tx.majorIncident.findUniqueOrThrow({ where: { id: incident.majorIncidentId } });
    const updated = await tx.incident.update({ where: { id: incident.id }, data: { majorIncidentId: null } });
    await tx.incidentEvent.create({ data: { incidentId: incident.id, type: 'major_unlinked', actor, internal: true, body: `unlinked from ${formatMajorIncidentNumber(major.number)}: ${reason}`, data: { majorIncidentId: major.id } } });
    await this.emit(tx, { major, kind: 'unlinked', actor, incidentIds: [incident.id], reason });
    return { incident: updated, major };
  }

  /** Merges `fromRef` into `intoRef`: its children move, it is dismissed (candidate) or resolved as a duplicate. */
  async merge(tx: Tx, fromRef: string, intoRef: string, actor: string): Promise<MajorIncident> {
    const from = await this.require(tx, fromRef);
    const into = await this.require(tx, intoRef);
    if (from.id === into.id) throw new FrontlineError('BAD_REQUEST', 'cannot merge a major incident into itself');
    const children = await tx.incident.findMany({ where: { majorIncidentId: from.id }, select: { id: true } });
    if (children.length) await this.link(tx, into.id, children.map((c) => c.id), actor, `merged from ${formatMajorIncidentNumber(from.number)}`);
    const closed = await tx.majorIncident.update({ where: { id: from.id }, data: from.status === 'candidate' ? { status: 'dismissed' } : { status: 'resolved', resolvedAt: new Date() } });
    await this.emit(tx, { major: closed, kind: 'merged', actor, incidentIds: children.map((c) => c.id), reason: `merged into ${formatMajorIncidentNumber(into.number)}` });
    return tx.majorIncident.findUniqueOrThrow({ where: { id: into.id } });
  }

  /**
   * A declared major incident the report (not yet filed) is about, for the dialog's "known outage" notice:
   * the same decision as for a filed report, against the declared incidents' children only.
   */
  async knownOutage(tx: Tx, text: string, triageService: string | null, language?: string, now = new Date()): Promise<{ major: MajorIncident; decision: ClusterDecision } | null> {
    const { serviceId, ciId } = reportService(this.catalog, text, triageService, language);
    const service = serviceId ? this.catalog.find(serviceId) : undefined;
    if (!service) return null;
    const declared = await tx.majorIncident.findMany({ where: { serviceId: service.id, status: 'declared' }, select: { id: true } });
    if (declared.length === 0) return null;
    const ids = new Set(declared.map((d) => d.id));
    const { members, alertGroups } = await this.members(tx, service, now);
    const decision = decideCluster({ id: 'new-report', text, serviceId: service.id, ciId, at: now }, members.filter((m) => m.groupId && ids.has(m.groupId)), { windowMs: this.windowMs(service), alertGroups });
    if (!decision.join) return null;
    const major = await tx.majorIncident.findUniqueOrThrow({ where: { id: decision.join } });
    return { major, decision };
  }

  async resolve(tx: Tx, ref: string, actor: string, now = new Date()): Promise<MajorIncident> {
    const major = await this.require(tx, ref);
    if (major.status === 'resolved') return major;
    const resolved = await tx.majorIncident.update({ where: { id: major.id }, data: { status: 'resolved', resolvedAt: now } });
    await this.emit(tx, { major: resolved, kind: 'resolved', actor });
    return resolved;
  }

  private async require(tx: Tx, ref: string): Promise<MajorIncident> {
    const major = await getMajorIncident(tx, ref);
    if (!major) throw new FrontlineError('NOT_FOUND', `major incident ${ref} not found`);
    return major;
  }

  async findIncident(tx: Tx, ref: string): Promise<Incident> {
    const m = /^(?:INC-?)?(\d{1,9})$/i.exec(ref.trim());
    const incident = await tx.incident.findFirst({ where: m ? { number: Number(m[1]) } : /^[0-9a-f-]{36}$/i.test(ref) ? { id: ref } : { id: '00000000-0000-0000-0000-000000000000' } });
    if (!incident) throw new FrontlineError('NOT_FOUND', `incident ${ref} not found`);
    return incident;
  }
}

export const describeIncident = (i: Pick<Incident, 'number' | 'title'>): string => `${formatIncidentNumber(i.number)} ${i.title}`;
