import express, { type Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { requireRole } from '../http/auth.js';

/**
 * Self-service numbers from `kb_feedback`: suggestions shown, articles opened (click-through), "did it help"
 * answers, and deflections (reports solved by an article, so no incident was filed).
 */
export interface DeflectionStats {
  since: string | null;
  conversationsWithSuggestions: number;
  suggested: number;
  opened: number;
  clickThroughRate: number;
  answered: number;
  helped: number;
  deflections: number;
  /** Deflections per conversation that was shown suggestions. */
  deflectionRate: number;
  byLanguage: { language: string; suggested: number; opened: number; helped: number; notHelped: number }[];
  topArticles: { articleId: string; opened: number; helped: number; notHelped: number }[];
}

export async function deflectionStats(db: Database, since?: Date): Promise<DeflectionStats> {
  const from = since ?? new Date(0);
  const [totals] = (await db.pool.query<Record<string, number>>(
    `SELECT count(*) FILTER (WHERE kind = 'suggested')::int AS suggested,
            count(*) FILTER (WHERE kind = 'opened')::int AS opened,
            count(*) FILTER (WHERE kind = 'feedback')::int AS answered,
            count(*) FILTER (WHERE kind = 'feedback' AND helped)::int AS helped,
            count(DISTINCT conversation_id) FILTER (WHERE kind = 'suggested')::int AS conversations
       FROM kb_feedback WHERE created_at >= $1`, [from])).rows;
  const byLanguage = (await db.pool.query<DeflectionStats['byLanguage'][number]>(
    `SELECT language, count(*) FILTER (WHERE kind = 'suggested')::int AS suggested, count(*) FILTER (WHERE kind = 'opened')::int AS opened,
            count(*) FILTER (WHERE kind = 'feedback' AND helped)::int AS helped, count(*) FILTER (WHERE kind = 'feedback' AND NOT helped)::int AS "notHelped"
       FROM kb_feedback WHERE created_at >= $1 GROUP BY language ORDER BY language`, [from])).rows;
  const topArticles = (await db.pool.query<DeflectionStats['topArticles'][number]>(
    `SELECT article_id AS "articleId", count(*) FILTER (WHERE kind = 'opened')::int AS opened,
            count(*) FILTER (WHERE kind = 'feedback' AND helped)::int AS helped, count(*) FILTER (WHERE kind = 'feedback' AND NOT helped)::int AS "notHelped"
       FROM kb_feedback WHERE created_at >= $1 AND kind <> 'suggested' GROUP BY article_id ORDER BY 2 DESC, 1 LIMIT 20`, [from])).rows;
  const t = totals ?? {};
  const conversations = t.conversations ?? 0;
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : 0);
  return {
    since: since?.toISOString() ?? null,
    conversationsWithSuggestions: conversations,
    suggested: t.suggested ?? 0,
    opened: t.opened ?? 0,
    clickThroughRate: ratio(t.opened ?? 0, conversations),
    answered: t.answered ?? 0,
    helped: t.helped ?? 0,
    deflections: t.helped ?? 0,
    deflectionRate: ratio(t.helped ?? 0, conversations),
    byLanguage,
    topArticles,
  };
}

/** `GET /api/v1/reports/deflection?since=2026-01-01` (read-only role). */
export function deflectionRouter(db: Database): Router {
  const router = express.Router();
  router.get('/deflection', requireRole(db, 'read_only'), async (req, res) => {
    const parsed = z.object({ since: z.iso.datetime({ offset: true }).or(z.iso.date()).optional() }).safeParse(req.query);
    if (!parsed.success) throw new FrontlineError('BAD_REQUEST', 'since must be an ISO date or date-time');
    res.json(await deflectionStats(db, parsed.data.since ? new Date(parsed.data.since) : undefined));
  });
  return router;
}
