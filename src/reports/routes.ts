import express, { type Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { requireRole } from '../http/auth.js';
import { parseRequest } from '../http/validate.js';
import { toCsv } from './csv.js';
import { type Period, Reports } from './queries.js';

const DAY = 86_400_000;
const query = z.object({
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  tz: z.string().max(64).default('UTC'),
  format: z.enum(['json', 'csv']).default('json'),
});

function period(q: z.infer<typeof query>): Period {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY);
  if (!(from < to)) throw new FrontlineError('BAD_REQUEST', 'from must be before to');
  if (to.getTime() - from.getTime() > 3 * 366 * DAY) throw new FrontlineError('BAD_REQUEST', 'a period is at most three years');
  try {
    new Intl.DateTimeFormat('en', { timeZone: q.tz });
  } catch {
    throw new FrontlineError('BAD_REQUEST', `tz must be an IANA time zone such as Europe/Stockholm, not ${q.tz}`);
  }
  return { from, to, timeZone: q.tz };
}
const previous = (p: Period): Period => ({ ...p, from: new Date(2 * p.from.getTime() - p.to.getTime()), to: p.from });

/**
 * `GET /api/v1/reports/{summary|volume|mtta|mttr|sla|backlog|fcr|csat}?from=&to=&tz=&format=csv` (read only;
 * `/deflection` is the dialog's own endpoint). JSON by default; CSV gives the report's main table. `summary` also computes the previous period.
 */
export function reportsRouter(db: Database): Router {
  const router = express.Router();
  const reports = new Reports(db);
  router.use(requireRole(db, 'read_only'));
  const tables: Record<string, (p: Period) => Promise<{ json: unknown; rows: Record<string, unknown>[] }>> = {
    volume: async (p) => {
      const v = await reports.volume(p);
      return { json: v, rows: [...v.byChannel.map((r) => ({ dimension: 'channel', ...r })), ...v.byCategory.map((r) => ({ dimension: 'category', ...r })), ...v.byService.map((r) => ({ dimension: 'service', ...r })), ...v.byHour.map((r) => ({ dimension: 'hour', ...r }))] };
    },
    mtta: async (p) => spreadTable(await reports.mtta(p)),
    mttr: async (p) => spreadTable(await reports.mttr(p)),
    sla: async (p) => {
      const s = await reports.sla(p);
      return { json: s, rows: [...s.byPriority.map((r) => ({ dimension: 'priority', ...r })), ...s.byGroup.map((r) => ({ dimension: 'group', ...r }))] };
    },
    backlog: async () => {
      const b = await reports.backlog(new Date());
      return { json: { byAge: b }, rows: b.map((r) => ({ ...r })) };
    },
    fcr: async (p) => {
      const q = await reports.resolutionQuality(p);
      return { json: q, rows: [{ figure: 'first_contact_resolution', ...q.fcr }, { figure: 'reopen', ...q.reopen }] };
    },
    csat: async (p) => {
      const c = await reports.csat(p);
      return { json: c, rows: [...c.byChannel.map((r) => ({ dimension: 'channel', ...r })), ...c.byGroup.map((r) => ({ dimension: 'group', ...r }))] };
    },
  };

  router.get('/summary', async (req, res) => {
    const p = period(parseRequest(query, req.query));
    const started = performance.now();
    const [current, before, backlog] = await Promise.all([reports.summary(p), reports.summary(previous(p)), reports.backlog(new Date())]);
    res.set('Server-Timing', `reports;dur=${(performance.now() - started).toFixed(1)}`);
    res.json({ current: { ...current, backlog }, previous: before });
  });
  router.get('/:name', async (req, res, next) => {
    const table = tables[String(req.params.name)];
    if (!table) return next();
    const q = parseRequest(query, req.query);
    const { json, rows } = await table(period(q));
    if (q.format === 'csv') {
      res.type('text/csv').attachment(`${String(req.params.name)}.csv`).send(toCsv(rows));
      return;
    }
    res.json(json);
  });
  return router;
}

function spreadTable(s: { byPriority: object[]; byGroup: object[] }) {
  return { json: s, rows: [...s.byPriority.map((r) => ({ dimension: 'priority', ...r })), ...s.byGroup.map((r) => ({ dimension: 'group', ...r }))] };
}
