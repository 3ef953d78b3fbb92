import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';
import type { Database } from '../db/database.js';
import { guardConfidential, requireRole } from '../http/auth.js';
import type { IncidentService } from '../incidents/service.js';
import { Sessions } from '../accounts/sessions.js';
import { sessionRouter, type SessionRouteOptions } from './session-routes.js';
import { consoleTranscript } from './transcript.js';
import { QueueChanges } from './queue-changes.js';
import { queue, queueQuery } from './queue.js';
import { parseRequest } from '../http/validate.js';

const require = createRequire(import.meta.url);
const PUBLIC = path.join(import.meta.dirname, 'public');
/** The libraries the pages import, served from node_modules as they were installed (no build step). */
const VENDOR: Record<string, string> = {
  'htm-preact.js': path.join(path.dirname(require.resolve('htm')), '..', 'preact', 'standalone.module.js'),
  'chart.umd.min.js': path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
};

/** Scripts and styles from our origin only: no inline script, no eval, nothing framed, no plugins. */
export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export interface ConsoleOptions extends SessionRouteOptions {
  db: Database;
  incidents: IncidentService;
}

/** `/console`: the agents' pages and the few endpoints only they need (the rest is the REST API with the session). */
export function consoleRouter(options: ConsoleOptions): { router: Router; close: () => void } {
  const { db, incidents } = options;
  const router = express.Router();
  const sessions = new Sessions(db, options.sessionHours);
  const changes = new QueueChanges(db);
  const security = (res: express.Response) => res.set({
    'Content-Security-Policy': CONSOLE_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin', 'Cache-Control': 'no-store',
  });

  router.use('/api', express.json({ limit: '64kb', type: 'application/json' }));
  router.use('/api', sessionRouter(db, sessions, options));
  router.get('/api/queue', requireRole(db, 'read_only'), async (req, res) => {
    res.json({ items: await queue(db, req.principal!, parseRequest(queueQuery, req.query)) });
  });
  router.get('/api/incidents/:ref/transcript', requireRole(db, 'read_only'), async (req, res) => {
    const incident = guardConfidential(req.principal, await incidents.get(db.prisma, String(req.params.ref)));
    const readOnly = req.principal?.role === 'read_only';
    if (readOnly && incident.confidential) {
      res.json({ items: [] });
      return;
    }
    res.json({ items: await consoleTranscript(db, incident, { includeNotes: !readOnly }) });
  });
  // Live queue: one event whenever any incident changed (any instance); the page then re-reads its view.
  router.get('/api/events', requireRole(db, 'read_only'), (req, res) => {
    res.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    const off = changes.subscribe((stamp) => res.write(`event: changed\ndata: ${JSON.stringify({ stamp })}\n\n`));
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    req.on('close', () => {
      off();
      clearInterval(ping);
    });
  });

  router.get('/vendor/:file', (req, res, next) => {
    const file = VENDOR[String(req.params.file)];
    if (!file) return next();
    res.set({ 'Cache-Control': 'public, max-age=86400', 'X-Content-Type-Options': 'nosniff' });
    res.type('text/javascript').sendFile(file);
  });
  router.use('/assets', express.static(PUBLIC, { index: false, maxAge: 0, setHeaders: (res) => res.set('X-Content-Type-Options', 'nosniff') }));
  // Every other /console path is the single page; it routes on location.hash.
  router.get(/^\/(?!api\/|assets\/|vendor\/).*/, (_req, res) => {
    security(res).sendFile(path.join(PUBLIC, 'index.html'));
  });
  return { router, close: () => changes.close() };
}
