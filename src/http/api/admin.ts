import express, { type Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { FrontlineError } from '../../errors.js';
import { createApiToken, listApiTokens, requireRole } from '../auth.js';
import { parseRequest } from '../validate.js';
import { tokenBody } from './schemas.js';
import { recordFor, writeAudit } from '../../audit/log.js';
import { deleteAgentOverride, listAgentOverrides, upsertAgentOverride } from '../../agents/overrides.js';

/** One entry of the agent override table (`PUT /agents/{key}`): only the fields given change. */
export const agentBody = z
  .object({
    channel: z.string().regex(/^[a-z]+$/).optional(),
    displayName: z.string().trim().min(1).max(200).nullable().optional(),
    email: z.email().max(320).nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict();
// Teams accounts are keyed by their AAD object id (a GUID).
const agentKey = z.string().trim().min(2).max(320).regex(/^([UW][A-Z0-9]+|[^\s@]+@[^\s@]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/, 'a Slack user id (U…/W…), a Teams AAD object id or an email address');

/** Operator endpoints: dead letters (inspect, retry), API tokens and the agent override table. Admin only. */
export function adminRouter(db: Database, onCommitted: () => void): Router {
  const router = express.Router();
  router.use(requireRole(db, 'admin'));

  router.get('/outbox', async (req, res) => {
    const status = z.enum(['pending', 'sent', 'dead']).default('dead').safeParse(req.query.status);
    if (!status.success) throw new FrontlineError('BAD_REQUEST', 'status must be pending, sent or dead');
    const rows = await db.prisma.outboxMessage.findMany({ where: { status: status.data }, orderBy: { seq: 'desc' }, take: 200 });
    res.json({
      items: rows.map((r) => ({
        id: r.id, conversationId: r.conversationId, channel: r.channel, status: r.status, attempts: r.attempts,
        lastError: r.lastError, nextAttemptAt: r.nextAttemptAt.toISOString(), createdAt: r.createdAt.toISOString(),
        sentAt: r.sentAt?.toISOString() ?? null, payload: r.payload,
      })),
    });
  });

  router.post('/outbox/:id/retry', async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw new FrontlineError('NOT_FOUND', 'no such outbox message');
    const updated = await db.prisma.outboxMessage.updateMany({
      where: { id: id.data, status: 'dead' },
      data: { status: 'pending', attempts: 0, nextAttemptAt: new Date(), lastError: null },
    });
    if (updated.count === 0) throw new FrontlineError('NOT_FOUND', 'no dead outbox message with that id');
    await writeAudit(db.prisma, recordFor('outbox.retry', { actor: 'unknown', via: 'api' }, { target: `outbox:${id.data}` })); // [audit]
    onCommitted();
    res.status(202).json({ id: id.data, status: 'pending' });
  });

  router.get('/tokens', async (req, res) => {
    res.json({ items: await listApiTokens(db, { includeRevoked: req.query.revoked === 'true' }) });
  });

  router.post('/tokens', async (req, res) => {
    const body = parseRequest(tokenBody, req.body);
    const created = await createApiToken(db, body.name, body.role);
    await writeAudit(db.prisma, recordFor('token.create', { actor: 'unknown', via: 'api' }, { target: `token:${created.id}`, after: { name: body.name, role: body.role } })); // [audit]
    res.status(201).json({ ...created, name: body.name, role: body.role });
  });

  router.get('/agents', async (req, res) => {
    const channel = typeof req.query.channel === 'string' ? req.query.channel : undefined;
    res.json({ items: await listAgentOverrides(db, channel) });
  });

  router.put('/agents/:key', async (req, res) => {
    const key = agentKey.safeParse(req.params.key);
    if (!key.success) throw new FrontlineError('BAD_REQUEST', 'key must be a Slack user id (U…/W…), a Teams AAD object id or an email address');
    const body = parseRequest(agentBody, req.body);
    const saved = await upsertAgentOverride(db, { key: key.data, ...body });
    await writeAudit(db.prisma, recordFor('agent_override.put', { actor: 'unknown', via: 'api' }, { target: `agent:${key.data}`, after: saved })); // [audit]
    res.json(saved);
  });

  router.delete('/agents/:key', async (req, res) => {
    const channel = typeof req.query.channel === 'string' ? req.query.channel : undefined;
    if (!(await deleteAgentOverride(db, String(req.params.key), channel))) throw new FrontlineError('NOT_FOUND', 'no agent override with that key');
    res.status(204).end();
  });

  return router;
}
