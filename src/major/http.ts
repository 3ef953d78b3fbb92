/**
 * `/api/v1/major-incidents`: list and read major incidents with their children; declare, dismiss, link, unlink
 * and merge (agent actions; the Slack card's buttons call the same service).
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Database, MajorIncident, Tx } from '../db/database.js';
import { requireRole } from '../http/auth.js';
import { presentIncident } from '../http/api/present.js';
import { parseRequest as parse } from '../http/validate.js';
import { formatMajorIncidentNumber, getMajorIncident, listLinkedIncidents } from './records.js';
import type { MajorIncidentService } from './service.js';
import { FrontlineError } from '../errors.js';

const incidentRefs = z.array(z.string().trim().min(1).max(64)).min(1).max(1000);
export const linkBody = z.strictObject({ incidents: incidentRefs, reason: z.string().trim().min(1).max(500).optional() });
export const mergeBody = z.strictObject({ into: z.string().trim().min(1).max(64) });
export const createBody = z.strictObject({
  service: z.string().trim().min(1).max(100),
  title: z.string().trim().min(3).max(200),
  ci: z.string().trim().min(1).max(100).optional(),
  incidents: incidentRefs.optional(),
  declare: z.boolean().default(true),
});
const listQuery = z.object({ status: z.string().regex(/^[a-z,]+$/).optional() }).strict();

export function presentMajorIncident(m: MajorIncident, children?: number) {
  return {
    id: m.id,
    number: formatMajorIncidentNumber(m.number),
    service: m.serviceId,
    ci: m.ciId,
    title: m.title,
    status: m.status,
    restricted: m.restricted,
    declaredAt: m.declaredAt?.toISOString() ?? null,
    declaredBy: m.declaredBy,
    resolvedAt: m.resolvedAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
    ...(children !== undefined ? { incidentCount: children } : {}),
  };
}

export function majorIncidentsRouter(db: Database, majors: MajorIncidentService, transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, onCommitted: () => void): Router {
  const router = express.Router();
  const actorOf = (req: express.Request) => `api:${req.principal!.name}`;
  const run = async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    const result = await transaction(fn);
    onCommitted();
    return result;
  };

  router.get('/', requireRole(db, 'read_only'), async (req, res) => {
    const q = parse(listQuery, req.query);
    const statuses = q.status?.split(',').filter(Boolean) ?? ['candidate', 'declared'];
    const rows = await db.prisma.majorIncident.findMany({ where: { status: { in: statuses as never } }, orderBy: { number: 'desc' }, take: 200, include: { _count: { select: { incidents: true } } } });
    res.json({ items: rows.map((m) => presentMajorIncident(m, m._count.incidents)) });
  });

  router.get('/:ref', requireRole(db, 'read_only'), async (req, res) => {
    const major = await getMajorIncident(db.prisma, String(req.params.ref));
    if (!major) throw new FrontlineError('NOT_FOUND', `major incident ${String(req.params.ref)} not found`);
    const children = await listLinkedIncidents(db.prisma, major.id);
    const redact = req.principal?.role === 'read_only';
    res.json({ ...presentMajorIncident(major, children.length), incidents: children.map((i) => presentIncident(i, { redactConfidential: redact })) });
  });

  router.post('/', requireRole(db, 'agent'), async (req, res) => {
    const body = parse(createBody, req.body);
    const service = majors.catalog.find(body.service);
    if (!service) throw new FrontlineError('BAD_REQUEST', `unknown service "${body.service}" (see dialogs/services.yaml)`);
    if (body.ci && !service.cis.some((c) => c.id === body.ci)) throw new FrontlineError('BAD_REQUEST', `service ${service.id} has no CI "${body.ci}"`);
    const actor = actorOf(req);
    const major = await run(async (tx) => {
      const ids = body.incidents ? await Promise.all(body.incidents.map(async (r) => (await majors.findIncident(tx, r)).id)) : [];
      const raised = await majors.raise(tx, service, body.ci ?? null, body.title, ids, actor, 'declared by an agent');
      return body.declare ? majors.declare(tx, raised.id, actor) : raised;
    });
    res.status(201).json(presentMajorIncident(major));
  });

  router.post('/:ref/declare', requireRole(db, 'agent'), async (req, res) => {
    const major = await run((tx) => majors.declare(tx, String(req.params.ref), actorOf(req)));
    res.json(presentMajorIncident(major));
  });

  router.post('/:ref/dismiss', requireRole(db, 'agent'), async (req, res) => {
    const major = await run((tx) => majors.dismiss(tx, String(req.params.ref), actorOf(req)));
    res.json(presentMajorIncident(major));
  });

  router.post('/:ref/link', requireRole(db, 'agent'), async (req, res) => {
    const body = parse(linkBody, req.body);
    const major = await run((tx) => majors.link(tx, String(req.params.ref), body.incidents, actorOf(req), body.reason));
    res.json(presentMajorIncident(major));
  });

  router.post('/:ref/unlink', requireRole(db, 'agent'), async (req, res) => {
    const body = parse(linkBody, req.body);
    const ref = String(req.params.ref);
    await run(async (tx) => {
      const major = await getMajorIncident(tx, ref);
      if (!major) throw new FrontlineError('NOT_FOUND', `major incident ${ref} not found`);
      for (const incidentRef of body.incidents) {
        const incident = await majors.findIncident(tx, incidentRef);
        if (incident.majorIncidentId !== major.id) throw new FrontlineError('BAD_REQUEST', `${incidentRef} is not linked to ${formatMajorIncidentNumber(major.number)}`);
        await majors.unlink(tx, incident.id, actorOf(req), body.reason ?? 'unlinked by an agent');
      }
    });
    res.json({ unlinked: body.incidents.length });
  });

  router.post('/:ref/merge', requireRole(db, 'agent'), async (req, res) => {
    const body = parse(mergeBody, req.body);
    const major = await run((tx) => majors.merge(tx, String(req.params.ref), body.into, actorOf(req)));
    res.json(presentMajorIncident(major));
  });

  return router;
}
