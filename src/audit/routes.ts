import express, { type Router } from 'express';
import { z } from 'zod';
import type { Database, Prisma } from '../db/database.js';
import { requireRole } from '../http/auth.js';
import { parseRequest } from '../http/validate.js';
import { toCsv } from '../reports/csv.js';

const query = z.object({
  actor: z.string().max(400).optional(),
  via: z.string().max(40).optional(),
  action: z.string().max(100).optional(),
  target: z.string().max(400).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(5_000).default(200),
  format: z.enum(['json', 'csv']).default('json'),
});

/** `GET /api/v1/admin/audit`: the audit log, newest first, filtered; `format=csv` for a spreadsheet. Read only. */
export function auditRouter(db: Database): Router {
  const router = express.Router();
  router.get('/audit', requireRole(db, 'admin'), async (req, res) => {
    const q = parseRequest(query, req.query);
    const where: Prisma.AuditEntryWhereInput = {
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.via ? { via: q.via } : {}),
      // `incident.` matches every incident action.
      ...(q.action ? (q.action.endsWith('.') ? { action: { startsWith: q.action } } : { action: q.action }) : {}),
      ...(q.target ? { target: q.target } : {}),
      ...(q.from || q.to ? { at: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } } : {}),
      ...(q.before ? { id: { lt: BigInt(q.before) } } : {}),
    };
    const rows = await db.prisma.auditEntry.findMany({ where, orderBy: { id: 'desc' }, take: q.limit });
    const items = rows.map((r) => ({ id: String(r.id), at: r.at.toISOString(), actor: r.actor, via: r.via, action: r.action, target: r.target, before: r.before, after: r.after, address: r.address }));
    if (q.format === 'csv') {
      res.type('text/csv').attachment('audit.csv').send(toCsv(items.map((i) => ({ ...i, before: i.before === null ? '' : JSON.stringify(i.before), after: i.after === null ? '' : JSON.stringify(i.after) }))));
      return;
    }
    res.json({ items, nextBefore: rows.length === q.limit ? String(rows.at(-1)!.id) : null });
  });
  return router;
}
