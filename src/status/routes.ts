import { createHmac, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import type { Database, Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { hashToken, requireRole } from '../http/auth.js';
import { bearerToken } from '../http/bearer.js';
import { parseRequest, storableInput } from '../http/validate.js';
import type { ServiceCatalog } from '../services/catalog.js';
import { confirmSubscription, resolveServiceId, type SubscriptionDeps, subscribeEmail, unsubscribe } from '../subscriptions/service.js';
import { verifyLink } from '../subscriptions/tokens.js';
import { renderAtom, renderRss } from './feeds.js';
import { pickLanguage, STATUS_STRINGS, type StatusLanguage } from './locales.js';
import { escapeHtml, renderStatusPage } from './render.js';
import { type SubscribeLimits, subscribeRateLimits } from './subscribe-limits.js';
import { buildStatusView, statusJson } from './view.js';

const PUBLIC_DIR = path.resolve(import.meta.dirname, 'public');
const SESSION_COOKIE = 'frontline_status';
const SESSION_TTL_MS = 12 * 3_600_000;
// No script at all; styles from our origin only; forms post only here.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'";

const multilingual = z.union([z.string().trim().min(1).max(500), z.partialRecord(z.enum(['en', 'sv', 'es', 'pt']), z.string().trim().min(1).max(500))]);
const maintenanceBody = z
  .object({ service: z.string().min(1).max(100), title: multilingual, startsAt: z.iso.datetime({ offset: true }), endsAt: z.iso.datetime({ offset: true }) })
  .strict()
  .refine((b) => new Date(b.startsAt) < new Date(b.endsAt), { message: 'startsAt must be before endsAt', path: ['endsAt'] });

export interface StatusDeps extends SubscriptionDeps {
  run: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  catalog: ServiceCatalog;
  /** STATUS_PAGE_PUBLIC: false → only agents (a bearer token, or the sign-in form's session cookie). */
  public: boolean;
  /** STATUS_SUBSCRIBE_RATE_LIMIT_*: caps on the public subscribe form (0 turns one off). */
  subscribeLimits: SubscribeLimits;
  committed: () => void;
}

/**
 * The status page (`/status`, its feeds, JSON, the subscribe form and the confirm/unsubscribe links) and the
 * maintenance API (`/api/v1/maintenance`).
 */
export function statusRouter(db: Database, deps: StatusDeps): Router {
  const router = express.Router();
  const form = [express.urlencoded({ extended: false, limit: '8kb' }), storableInput];

  const sessionMac = (body: string) => createHmac('sha256', `status-session:${deps.secret}`).update(body).digest('hex');
  async function allowed(req: Request): Promise<boolean> {
    if (deps.public) return true;
    const token = bearerToken(req.get('authorization'));
    const cookie = /(?:^|;\s*)frontline_status=([^;]+)/.exec(req.get('cookie') ?? '')?.[1];
    let tokenId: string | undefined;
    if (cookie) {
      const [id, exp, mac] = decodeURIComponent(cookie).split('.');
      const expected = Buffer.from(sessionMac(`${id}.${exp}`), 'hex');
      const given = Buffer.from(mac ?? '', 'hex');
      if (id && exp && Number(exp) > Date.now() && given.length === expected.length && timingSafeEqual(given, expected)) tokenId = id;
    }
    const row = token
      ? await db.prisma.apiToken.findUnique({ where: { tokenHash: hashToken(token) } })
      : tokenId ? await db.prisma.apiToken.findUnique({ where: { id: tokenId } }) : null;
    return Boolean(row && !row.revokedAt && (row.role === 'agent' || row.role === 'admin'));
  }
  function signIn(res: express.Response, language: StatusLanguage, status = 401) {
    const t = STATUS_STRINGS[language];
    const e = escapeHtml;
    res.status(status).set('content-security-policy', CSP).type('html').send(`<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(t.title)}</title><link rel="stylesheet" href="/status/status.css"></head>
<body><main id="main"><h1>${e(t.signIn)}</h1><p>${e(t.signInHelp)}</p><form class="subscribe" method="post" action="/status/login"><input type="hidden" name="lang" value="${language}"><label for="token">${e(t.token)}</label><input id="token" name="token" type="password" autocomplete="off" required><button type="submit">${e(t.signIn)}</button></form></main></body></html>`);
  }
  const page = (language: StatusLanguage, title: string, text: string) =>
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="/status/status.css"></head><body><main id="main"><h1>${escapeHtml(title)}</h1><p class="notice" role="status">${escapeHtml(text)}</p><p><a href="/status?lang=${language}">${escapeHtml(STATUS_STRINGS[language].title)}</a></p></main></body></html>`;

  router.get('/status/status.css', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').sendFile(path.join(PUBLIC_DIR, 'status.css'));
  });

  router.get('/status/favicon.svg', (_req, res) => {
    res.set('cache-control', 'public, max-age=86400').type('image/svg+xml').sendFile(path.join(PUBLIC_DIR, 'favicon.svg'));
  });

  router.post('/status/login', ...form, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const language = pickLanguage(body.lang, req.get('accept-language'));
    const row = typeof body.token === 'string' ? await db.prisma.apiToken.findUnique({ where: { tokenHash: hashToken(body.token.trim()) } }) : null;
    if (!row || row.revokedAt || row.role === 'read_only') return signIn(res, language);
    const exp = String(Date.now() + SESSION_TTL_MS);
    res.set('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(`${row.id}.${exp}.${sessionMac(`${row.id}.${exp}`)}`)}; Path=/status; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}`);
    res.redirect(303, `/status?lang=${language}`);
  });

  router.get(['/status', '/status/'], async (req, res) => {
    const language = pickLanguage(req.query.lang, req.get('accept-language'));
    if (!(await allowed(req))) return signIn(res, language);
    const view = await deps.run((tx) => buildStatusView(tx, deps.catalog, language));
    if (req.query.subscribed === '1') view.notice = STATUS_STRINGS[language].subscribed;
    res.set('content-security-policy', CSP).set('cache-control', 'no-cache').type('html').send(renderStatusPage(view));
  });

  router.get('/status.json', async (req, res) => {
    const language = pickLanguage(req.query.lang, req.get('accept-language'));
    if (!(await allowed(req))) throw new FrontlineError('UNAUTHORIZED', 'the status page is private (STATUS_PAGE_PUBLIC=false): send an agent token');
    res.json(statusJson(await deps.run((tx) => buildStatusView(tx, deps.catalog, language))));
  });

  for (const [route, render, type] of [['/status/feed.atom', renderAtom, 'application/atom+xml'], ['/status/feed.rss', renderRss, 'application/rss+xml']] as const) {
    router.get(route, async (req, res) => {
      const language = pickLanguage(req.query.lang, req.get('accept-language'));
      if (!(await allowed(req))) throw new FrontlineError('UNAUTHORIZED', 'the status page is private (STATUS_PAGE_PUBLIC=false): send an agent token');
      const view = await deps.run((tx) => buildStatusView(tx, deps.catalog, language));
      res.type(`${type}; charset=utf-8`).send(render(view, deps.baseUrl));
    });
  }

  // Over a limit: a browser posting the form gets a readable page in its language, an API client JSON. Both 429,
  // with Retry-After from the limiter. The message is the same for both limits: it tells nobody which one hit.
  const subscribeLimits = subscribeRateLimits(deps.subscribeLimits, (req, res) => {
    const language = pickLanguage((req.body as Record<string, unknown> | undefined)?.lang, req.get('accept-language'));
    const t = STATUS_STRINGS[language];
    res.status(429);
    if (req.accepts(['json', 'html']) === 'html') res.set('content-security-policy', CSP).type('html').send(page(language, t.title, t.tooManySubscribes));
    else res.json({ error: { code: 'RATE_LIMITED', message: t.tooManySubscribes } });
  });

  router.post('/status/subscribe', ...form, ...subscribeLimits, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const language = pickLanguage(body.lang, req.get('accept-language'));
    if (!(await allowed(req))) return signIn(res, language);
    const email = z.email().max(320).safeParse(typeof body.email === 'string' ? body.email.trim() : undefined);
    if (!email.success) throw new FrontlineError('BAD_REQUEST', 'email: give a valid email address');
    const serviceId = resolveServiceId(deps.catalog, typeof body.service === 'string' ? body.service : '*');
    if (!serviceId) throw new FrontlineError('BAD_REQUEST', 'service: unknown service');
    await deps.run((tx) => subscribeEmail(tx, deps, { email: email.data, serviceId, locale: language }));
    deps.committed();
    // The same answer whether or not the address was subscribed already: the form tells nobody who is.
    res.redirect(303, `/status?lang=${language}&subscribed=1`);
  });

  for (const action of ['confirm', 'unsubscribe'] as const) {
    router.get(`/status/${action}`, async (req, res) => {
      const language = pickLanguage(req.query.lang, req.get('accept-language'));
      const verified = verifyLink(deps.secret, typeof req.query.token === 'string' ? req.query.token : '', action);
      if (!verified.ok) throw new FrontlineError('BAD_REQUEST', `this link cannot be used: ${verified.reason}`);
      const done = await deps.run((tx) => (action === 'confirm' ? confirmSubscription(tx, verified.subscriptionId) : unsubscribe(tx, verified.subscriptionId)));
      if (!done) throw new FrontlineError('NOT_FOUND', 'no such subscription (it may have been removed)');
      const t = STATUS_STRINGS[language];
      res.set('content-security-policy', CSP).type('html').send(page(language, t.title, action === 'confirm' ? t.confirmed : t.unsubscribed));
    });
  }

  router.get('/api/v1/maintenance', requireRole(db, 'read_only'), async (_req, res) => {
    const rows = await db.prisma.maintenance.findMany({ where: { endsAt: { gte: new Date() } }, orderBy: { startsAt: 'asc' } });
    res.json({ items: rows.map((r) => ({ id: r.id, service: r.serviceId, title: r.title, startsAt: r.startsAt.toISOString(), endsAt: r.endsAt.toISOString(), createdBy: r.createdBy })) });
  });
  router.post('/api/v1/maintenance', requireRole(db, 'agent'), express.json(), storableInput, async (req, res) => {
    const body = parseRequest(maintenanceBody, req.body);
    const serviceId = resolveServiceId(deps.catalog, body.service);
    if (!serviceId || serviceId === '*') throw new FrontlineError('BAD_REQUEST', `service: unknown service ${body.service}`);
    const title = typeof body.title === 'string' ? { en: body.title } : body.title;
    const row = await db.prisma.maintenance.create({ data: { serviceId, title, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt), createdBy: req.principal?.name ?? 'agent' } });
    res.status(201).json({ id: row.id, service: serviceId, title, startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString() });
  });
  router.delete('/api/v1/maintenance/:id', requireRole(db, 'agent'), async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    const removed = id.success ? await db.prisma.maintenance.deleteMany({ where: { id: id.data } }) : { count: 0 };
    if (removed.count === 0) throw new FrontlineError('NOT_FOUND', 'no such maintenance window');
    res.status(204).end();
  });
  return router;
}
