import express, { type Router } from 'express';
import { z } from 'zod';
import { deliveryReport } from '../broadcast/report.js';
import type { Database, Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { requireRole } from '../http/auth.js';
import { parseRequest } from '../http/validate.js';
import type { ServiceCatalog } from '../services/catalog.js';
import type { Priority } from '../sla/priority.js';
import { formatMajorIncidentNumber } from './records.js';
import { cadenceOf } from './updates-cadence.js';
import { postUpdate, requireMajorIncident, updateBody } from './updates.js';

const page = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200), offset: z.coerce.number().int().min(0).default(0), recipient: z.string().max(320).optional() });

/**
 * Updates on a major incident and their delivery reports:
 *   POST /:ref/updates                       agent      post an update (broadcast through the outbox)
 *   GET  /:ref/updates                       read_only  history, broadcast progress, when the next update is due
 *   GET  /:ref/updates/:id/deliveries        agent      per recipient: channel, status, when, failed where
 */
export function majorUpdatesRouter(db: Database, deps: { run: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>; catalog: ServiceCatalog; cadence: Record<Priority, number>; planned: () => void }): Router {
  const router = express.Router();

  router.post('/:ref/updates', requireRole(db, 'agent'), async (req, res) => {
    const body = parseRequest(updateBody, req.body);
    const author = z.string().trim().min(1).max(200).safeParse(req.get('x-frontline-author')).data ?? req.principal?.name ?? 'agent';
    const posted = await deps.run((tx) => postUpdate(tx, String(req.params.ref), body, author));
    deps.planned();
    res.status(201).json(posted);
  });

  router.get('/:ref/updates', requireRole(db, 'read_only'), async (req, res) => {
    const result = await deps.run(async (tx) => {
      const mi = await requireMajorIncident(tx, String(req.params.ref));
      const agent = req.principal?.role !== 'read_only';
      const updates = await tx.majorIncidentUpdate.findMany({ where: { majorIncidentId: mi.id }, orderBy: { createdAt: 'asc' }, include: { broadcast: { select: { id: true, status: true, recipients: true, plannedAt: true } } } });
      const cadence = await cadenceOf(tx, mi.id, deps.catalog, deps.cadence);
      return {
        majorIncident: formatMajorIncidentNumber(mi.number),
        status: mi.status,
        cadence: cadence ? { priority: cadence.priority, lastUpdateAt: cadence.lastUpdateAt.toISOString(), nextUpdateDueAt: cadence.nextUpdateDueAt.toISOString(), overdue: cadence.overdue } : null,
        items: updates
          // Read-only tokens never see restricted updates or internal texts (as with confidential incidents).
          .filter((u) => agent || !(u.restricted || mi.restricted))
          .map((u) => ({
            id: u.id, status: u.status, publicText: u.publicText, ...(agent ? { internalText: u.internalText } : {}), restricted: u.restricted,
            automatic: u.automatic, scope: u.scope, author: u.author, createdAt: u.createdAt.toISOString(),
            broadcast: u.broadcast ? { id: u.broadcast.id, status: u.broadcast.status, recipients: u.broadcast.recipients, plannedAt: u.broadcast.plannedAt?.toISOString() ?? null } : null,
          })),
      };
    });
    res.json(result);
  });

  router.get('/:ref/updates/:updateId/deliveries', requireRole(db, 'agent'), async (req, res) => {
    const q = parseRequest(page, req.query);
    const report = await deps.run(async (tx) => {
      const mi = await requireMajorIncident(tx, String(req.params.ref));
      const updateId = z.uuid().safeParse(req.params.updateId);
      const update = updateId.success ? await tx.majorIncidentUpdate.findFirst({ where: { id: updateId.data, majorIncidentId: mi.id }, select: { broadcast: { select: { id: true, status: true } } } }) : null;
      if (!update?.broadcast) throw new FrontlineError('NOT_FOUND', 'no such update on this major incident');
      return { broadcast: update.broadcast, ...(await deliveryReport(tx, update.broadcast.id, { limit: q.limit, offset: q.offset, ...(q.recipient ? { recipient: q.recipient } : {}) })) };
    });
    res.json(report);
  });

  return router;
}
