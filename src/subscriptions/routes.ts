import { parse as parseCsv } from 'csv-parse/sync';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Database, Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { requireRole } from '../http/auth.js';
import { parseRequest, storableInput } from '../http/validate.js';
import { CLEARANCES } from './policy.js';
import { replaceMembers, resolveServiceId, type SubscriptionDeps, subscribeEmail, unsubscribe, upsertGroup } from './service.js';

const member = z.object({ email: z.email().max(320), displayName: z.string().max(200).nullable().optional(), locale: z.string().max(20).nullable().optional() }).strict();
const groupBody = z
  .object({
    clearance: z.enum(CLEARANCES).optional(),
    services: z.array(z.string().min(1).max(100)).max(500).optional(),
    slackChannel: z.string().regex(/^#?[A-Za-z0-9._-]+$/, 'a Slack channel id or name').nullable().optional(),
    teamsChannel: z.string().min(1).max(300).nullable().optional(),
    members: z.array(member).max(100_000).optional(),
  })
  .strict();
const groupName = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._ -]+$/, 'letters, digits, space, . _ -');
const subscriptionBody = z.object({ email: z.email().max(320), service: z.string().min(1).max(100), locale: z.string().max(20).optional(), clearance: z.enum(CLEARANCES).optional() }).strict();

/**
 * Subscriptions and distribution groups (agent):
 *   POST   /subscriptions {email, service, locale?, clearance?}   email subscription (double opt-in mail)
 *   DELETE /subscriptions/:id
 *   GET    /groups, GET /groups/:name
 *   PUT    /groups/:name {clearance?, services?, slackChannel?, teamsChannel?, members?}   create or sync
 *   PUT    /groups/:name/members (text/csv: email[,displayName][,locale] with a header row)    sync from a CSV
 */
export function subscriptionsRouter(db: Database, deps: SubscriptionDeps & { run: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>; committed: () => void }): Router {
  const router = express.Router();
  const agent = requireRole(db, 'agent');

  router.post('/subscriptions', agent, express.json(), storableInput, async (req, res) => {
    const body = parseRequest(subscriptionBody, req.body);
    const serviceId = resolveServiceId(deps.catalog, body.service);
    if (!serviceId) throw new FrontlineError('BAD_REQUEST', `unknown service ${body.service}`);
    const result = await deps.run((tx) => subscribeEmail(tx, deps, { email: body.email, serviceId, ...(body.locale ? { locale: body.locale } : {}), ...(body.clearance ? { clearance: body.clearance } : {}) }));
    deps.committed();
    res.status(result.confirmationQueued ? 201 : 200).json(result);
  });

  router.delete('/subscriptions/:id', agent, async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success || !(await deps.run((tx) => unsubscribe(tx, id.data)))) throw new FrontlineError('NOT_FOUND', 'no such subscription');
    res.status(204).end();
  });

  router.get('/groups', agent, async (_req, res) => {
    const groups = await db.prisma.distributionGroup.findMany({ orderBy: { name: 'asc' }, include: { _count: { select: { members: true } } } });
    res.json({ items: groups.map(({ _count, ...g }) => ({ ...g, members: _count.members })) });
  });

  router.get('/groups/:name', agent, async (req, res) => {
    const group = await db.prisma.distributionGroup.findUnique({ where: { name: String(req.params.name) }, include: { members: { orderBy: { email: 'asc' } } } });
    if (!group) throw new FrontlineError('NOT_FOUND', 'no such group');
    res.json(group);
  });

  router.put('/groups/:name', agent, express.json({ limit: '20mb' }), storableInput, async (req, res) => {
    const name = parseRequest(groupName, req.params.name);
    const body = parseRequest(groupBody, req.body);
    const result = await deps.run(async (tx) => {
      const group = await upsertGroup(tx, name, body);
      const sync = body.members ? await replaceMembers(tx, group.id, body.members) : undefined;
      return { ...group, ...(sync ? { sync } : {}) };
    });
    res.json(result);
  });

  router.put('/groups/:name/members', agent, express.text({ type: ['text/csv', 'text/plain'], limit: '20mb' }), async (req, res) => {
    const name = parseRequest(groupName, req.params.name);
    if (typeof req.body !== 'string') throw new FrontlineError('UNSUPPORTED_MEDIA_TYPE', 'send the member list as text/csv');
    let rows: Record<string, string>[];
    try {
      rows = parseCsv(req.body, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
    } catch (err) {
      throw new FrontlineError('BAD_REQUEST', `not a CSV file: ${err instanceof Error ? err.message : String(err)}`);
    }
    const members = rows.map((r, i) => {
      const parsed = member.safeParse({ email: r.email, displayName: r.displayname ?? r.name ?? null, locale: r.locale ?? null });
      if (!parsed.success) throw new FrontlineError('BAD_REQUEST', `row ${i + 2}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      return parsed.data;
    });
    const result = await deps.run(async (tx) => {
      const group = await tx.distributionGroup.findUnique({ where: { name } });
      if (!group) throw new FrontlineError('NOT_FOUND', `no group ${name}; create it with PUT /api/v1/groups/${name}`);
      return replaceMembers(tx, group.id, members);
    });
    res.json(result);
  });

  return router;
}
