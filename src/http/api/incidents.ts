import express, { type Router } from 'express';
import type { Database, Prisma } from '../../db/database.js';
import type { IncidentPatch, IncidentService } from '../../incidents/service.js';
import type { IntakePipeline } from '../../intake/pipeline.js';
import { guardConfidential as guard, requireRole } from '../auth.js';
import { claimIdempotencyKey, type EarlierRequest, fingerprintOf, idempotencyKeyOf, REPLAYED_HEADER, reusedKey, storeIdempotentResponse } from '../idempotency.js';
import { incidentAttachments, registerIncidentFiles } from './incident-files.js';
import { presentDeliveryStatus, presentEvent, presentIncident } from './present.js';
import { parseRequest as parse } from '../validate.js';
import { commentBody, listQuery, patchBody } from './schemas.js';
const csv = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean);

/** `/api/v1/incidents`: list, read with timeline, update, reply or note. */
export function incidentsRouter(db: Database, incidents: IncidentService, pipeline: IntakePipeline, onCommitted: () => void): Router {
  const router = express.Router();

  router.get('/', requireRole(db, 'read_only'), async (req, res) => {
    const q = parse(listQuery, req.query);
    const redact = req.principal?.role === 'read_only';
    const groups = req.principal?.role === 'admin' ? undefined : req.principal?.groups;
    const where: Prisma.IncidentWhereInput = {
      // Read-only tokens do not learn that a confidential incident exists, let alone match its text.
      ...(redact ? { confidential: false } : {}),
      // [console] a signed-in agent sees confidential incidents of their own groups only.
      ...(!redact && groups ? { AND: [{ OR: [{ confidential: false }, { assignmentGroup: { in: groups } }] }] } : {}),
      ...(csv(q.status) ? { status: { in: csv(q.status) as never } } : {}),
      ...(csv(q.priority) ? { priority: { in: csv(q.priority) } } : {}),
      ...(q.assignee ? { assignee: q.assignee } : {}),
      ...(q.assignmentGroup ? { assignmentGroup: q.assignmentGroup } : {}),
      ...(q.category ? { category: q.category } : {}),
      ...(q.q ? { OR: [{ title: { contains: q.q, mode: 'insensitive' } }, { description: { contains: q.q, mode: 'insensitive' } }] } : {}),
      ...(q.cursor ? { number: { lt: Number(q.cursor) } } : {}),
    };
    const rows = await db.prisma.incident.findMany({ where, orderBy: { number: 'desc' }, take: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    res.json({
      items: page.map((i) => presentIncident(i, { redactConfidential: redact })),
      nextCursor: rows.length > q.limit ? String(page.at(-1)!.number) : null,
    });
  });

  router.get('/:ref', requireRole(db, 'read_only'), async (req, res) => {
    const incident = guard(req.principal, await incidents.get(db.prisma, String(req.params.ref)));
    const redact = req.principal?.role === 'read_only';
    const events = await db.prisma.incidentEvent.findMany({
      where: { incidentId: incident.id, ...(redact ? { internal: false } : {}) },
      orderBy: { createdAt: 'asc' },
    });
    const failing = incident.reporterId
      ? await db.prisma.channelIdentity.findMany({ where: { contactId: incident.reporterId, failingSince: { not: null } }, orderBy: { createdAt: 'asc' } })
      : [];
    const hide = redact && incident.confidential;
    res.json({
      ...presentIncident(incident, { redactConfidential: redact }),
      reporterDelivery: failing.map(presentDeliveryStatus),
      // What the reporter wrote or sent stays with agents when the incident is confidential.
      attachments: hide ? [] : await incidentAttachments(db, incident),
      timeline: events.map((e) => (hide && e.type === 'reporter_message' ? { ...presentEvent(e), body: null, data: null } : presentEvent(e))),
    });
  });

  registerIncidentFiles(router, db, incidents);

  router.patch('/:ref', requireRole(db, 'agent'), async (req, res) => {
    const body = parse(patchBody, req.body) as IncidentPatch;
    const actor = req.principal!.actor ?? `api:${req.principal!.name}`;
    const incident = await pipeline.transaction(async (tx) => {
      guard(req.principal, await incidents.get(tx, String(req.params.ref)));
      return incidents.update(tx, String(req.params.ref), body, actor);
    });
    onCommitted();
    res.json(presentIncident(incident, { redactConfidential: false }));
  });

  router.post('/:ref/comments', requireRole(db, 'agent'), async (req, res) => {
    const body = parse(commentBody, req.body);
    const ref = String(req.params.ref);
    // [console] a person signed in is named by their display name, not by what the body claims.
    const author = req.principal!.accountId ? req.principal!.actor!.slice('console:'.length) : (body.author ?? req.principal!.name);
    // Keys belong to the client (token) that sent them; the fingerprint covers the target and the body.
    const key = idempotencyKeyOf(req);
    const scoped = key ? `comment:${req.principal!.tokenId}:${key}` : undefined;
    const fingerprint = fingerprintOf({ ref, ...body, author });
    const outcome = await pipeline.transaction(async (tx): Promise<{ earlier: EarlierRequest } | { response: { status: number; body: unknown } }> => {
      if (scoped) {
        const earlier = await claimIdempotencyKey(tx, scoped, fingerprint);
        if (earlier) return { earlier };
      }
      guard(req.principal, await incidents.get(tx, ref));
      const incident = await incidents.comment(tx, ref, { text: body.text, author, internal: body.internal, idempotencyKey: scoped ? `api:${scoped}` : undefined });
      const response = { status: 201, body: presentIncident(incident, { redactConfidential: false }) };
      if (scoped) await storeIdempotentResponse(tx, scoped, response);
      return { response };
    });
    if ('earlier' in outcome) {
      const { earlier } = outcome;
      if (earlier.fingerprint !== null && earlier.fingerprint !== fingerprint) throw reusedKey();
      res.set(REPLAYED_HEADER, 'true');
      if (earlier.response) {
        res.status(earlier.response.status).json(earlier.response.body);
      } else {
        res.status(201).json(presentIncident(await incidents.get(db.prisma, ref), { redactConfidential: false }));
      }
      return;
    }
    onCommitted();
    res.status(outcome.response.status).json(outcome.response.body);
  });

  return router;
}

