import express, { type Router } from 'express';
import { z } from 'zod';
import { recordFor, writeAudit } from '../audit/log.js';
import type { Database, Prisma } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { requireRole } from '../http/auth.js';
import { parseRequest } from '../http/validate.js';
import { KB_CATEGORIES, KB_LANGUAGES } from '../kb/text.js';

const id = z.string().min(1).max(200).regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"');
const article = z.object({
  title: z.string().trim().min(1).max(300),
  body: z.string().trim().min(1).max(100_000),
  language: z.enum(KB_LANGUAGES),
  category: z.enum(KB_CATEGORIES).nullable().default(null),
  tags: z.array(z.string().trim().min(1).max(60)).max(30).default([]),
}).strict();
const listQuery = z.object({ q: z.string().max(200).optional(), language: z.enum(KB_LANGUAGES).optional() });

/**
 * `/api/v1/kb/articles`: the knowledge base as agents edit it (list, read, create or replace, delete). The search
 * rankers notice a change by the table's fingerprint (kbVersion), so the dialog suggests the new text at once.
 * Every change is audited with before → after.
 */
export function kbEditorRouter(db: Database): Router {
  const router = express.Router();
  const system = { actor: 'unknown', via: 'api' };

  router.get('/articles', requireRole(db, 'read_only'), async (req, res) => {
    const q = parseRequest(listQuery, req.query);
    const where: Prisma.KbArticleWhereInput = {
      ...(q.language ? { language: q.language } : {}),
      ...(q.q ? { OR: [{ title: { contains: q.q, mode: 'insensitive' } }, { body: { contains: q.q, mode: 'insensitive' } }, { id: { contains: q.q } }] } : {}),
    };
    const rows = await db.prisma.kbArticle.findMany({ where, orderBy: [{ language: 'asc' }, { id: 'asc' }], take: 500, select: { id: true, title: true, language: true, category: true, updatedAt: true } });
    // Per-article self-service figures from the dialog's feedback table.
    const stats = await db.pool.query<{ article_id: string; suggested: number; opened: number; helped: number }>(
      `SELECT article_id, count(*) FILTER (WHERE kind = 'suggested')::int AS suggested, count(*) FILTER (WHERE kind = 'opened')::int AS opened,
              count(*) FILTER (WHERE kind = 'feedback' AND helped)::int AS helped FROM kb_feedback GROUP BY article_id`);
    const byId = new Map(stats.rows.map((r) => [r.article_id, r]));
    res.json({ items: rows.map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString(), suggested: byId.get(r.id)?.suggested ?? 0, opened: byId.get(r.id)?.opened ?? 0, helped: byId.get(r.id)?.helped ?? 0 })) });
  });

  router.get('/articles/:id', requireRole(db, 'read_only'), async (req, res) => {
    const row = await db.prisma.kbArticle.findUnique({ where: { id: String(req.params.id) } });
    if (!row) throw new FrontlineError('NOT_FOUND', 'no such article');
    res.json({ ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() });
  });

  router.put('/articles/:id', requireRole(db, 'agent'), async (req, res) => {
    const key = id.safeParse(req.params.id);
    if (!key.success) throw new FrontlineError('BAD_REQUEST', `id: ${key.error.issues[0]?.message ?? 'invalid'}`);
    const body = parseRequest(article, req.body);
    const saved = await db.prisma.$transaction(async (tx) => {
      const before = await tx.kbArticle.findUnique({ where: { id: key.data } });
      const after = await tx.kbArticle.upsert({ where: { id: key.data }, create: { id: key.data, ...body }, update: body });
      const pick = (a: typeof after | null) => a && { title: a.title, body: a.body, language: a.language, category: a.category, tags: a.tags };
      await writeAudit(tx, recordFor(before ? 'kb.update' : 'kb.create', system, { target: `kb:${key.data}`, before: pick(before), after: pick(after) }));
      return { after, created: !before };
    });
    res.status(saved.created ? 201 : 200).json({ ...saved.after, createdAt: saved.after.createdAt.toISOString(), updatedAt: saved.after.updatedAt.toISOString() });
  });

  router.delete('/articles/:id', requireRole(db, 'admin'), async (req, res) => {
    const key = String(req.params.id);
    await db.prisma.$transaction(async (tx) => {
      const before = await tx.kbArticle.findUnique({ where: { id: key } });
      if (!before) throw new FrontlineError('NOT_FOUND', 'no such article');
      await tx.kbArticle.delete({ where: { id: key } });
      await writeAudit(tx, recordFor('kb.delete', system, { target: `kb:${key}`, before: { title: before.title, language: before.language } }));
    });
    res.status(204).end();
  });
  return router;
}
