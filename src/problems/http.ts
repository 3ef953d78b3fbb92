/** `/api/v1/problems`: list, read, open, link incidents, record a workaround (known error), close. */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Database, Problem, Tx } from '../db/database.js';
import { requireRole } from '../http/auth.js';
import { parseRequest as parse } from '../http/validate.js';
import { formatIncidentNumber } from '../incidents/number.js';
import { formatProblemNumber, type ProblemService } from './service.js';

const refs = z.array(z.string().trim().min(1).max(64)).min(1).max(1000);
export const problemCreateBody = z.strictObject({ title: z.string().trim().min(3).max(200), service: z.string().trim().min(1).max(100).optional(), ci: z.string().trim().min(1).max(100).optional(), incidents: refs.optional() });
export const problemLinkBody = z.strictObject({ incidents: refs });
export const workaroundBody = z.strictObject({ text: z.string().trim().min(3).max(20_000), language: z.enum(['en', 'sv', 'es', 'pt']).default('en') });
export const closeBody = z.strictObject({ resolution: z.string().trim().min(3).max(20_000) });

export function presentProblem(p: Problem) {
  return {
    id: p.id, number: formatProblemNumber(p.number), title: p.title, service: p.serviceId, ci: p.ciId, status: p.status,
    workaround: p.workaround, kbArticleId: p.kbArticleId, createdBy: p.createdBy, resolution: p.resolution,
    closedAt: p.closedAt?.toISOString() ?? null, createdAt: p.createdAt.toISOString(),
  };
}

export function problemsRouter(db: Database, problems: ProblemService, transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, onCommitted: () => void): Router {
  const router = express.Router();
  const actorOf = (req: express.Request) => `api:${req.principal!.name}`;
  const run = async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    const result = await transaction(fn);
    onCommitted();
    return result;
  };
  router.get('/', requireRole(db, 'read_only'), async (_req, res) => {
    const rows = await db.prisma.problem.findMany({ orderBy: { number: 'desc' }, take: 200 });
    res.json({ items: rows.map(presentProblem) });
  });
  router.get('/:ref', requireRole(db, 'read_only'), async (req, res) => {
    const problem = await problems.get(db.prisma, String(req.params.ref));
    const links = await db.prisma.problemIncident.findMany({ where: { problemId: problem.id } });
    const incidents = await db.prisma.incident.findMany({ where: { id: { in: links.map((l) => l.incidentId) } }, orderBy: { number: 'asc' }, select: { number: true, status: true, assignee: true } });
    res.json({ ...presentProblem(problem), incidents: incidents.map((i) => ({ number: formatIncidentNumber(i.number), status: i.status, assignee: i.assignee })) });
  });
  router.post('/', requireRole(db, 'agent'), async (req, res) => {
    const body = parse(problemCreateBody, req.body);
    const problem = await run((tx) => problems.create(tx, { title: body.title, serviceId: body.service ?? null, ciId: body.ci ?? null, incidents: body.incidents, createdBy: actorOf(req) }));
    res.status(201).json(presentProblem(problem));
  });
  router.post('/:ref/link', requireRole(db, 'agent'), async (req, res) => {
    const body = parse(problemLinkBody, req.body);
    res.json(presentProblem(await run((tx) => problems.link(tx, String(req.params.ref), body.incidents, actorOf(req)))));
  });
  router.post('/:ref/workaround', requireRole(db, 'agent'), async (req, res) => {
    const body = parse(workaroundBody, req.body);
    res.json(presentProblem(await run((tx) => problems.setWorkaround(tx, String(req.params.ref), body.text, actorOf(req), body.language))));
  });
  router.post('/:ref/close', requireRole(db, 'agent'), async (req, res) => {
    const body = parse(closeBody, req.body);
    const { problem, notified } = await run((tx) => problems.close(tx, String(req.params.ref), body.resolution, actorOf(req)));
    res.json({ ...presentProblem(problem), notified });
  });
  return router;
}
