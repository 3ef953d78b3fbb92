import express, { type Request, type Response, type Router } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import { presentAccount } from '../accounts/accounts.js';
import { cookieValue, SESSION_COOKIE, type Sessions } from '../accounts/sessions.js';
import { signInWithPassword, type LockoutPolicy } from '../accounts/sign-in.js';
import { writeAudit } from '../audit/log.js';
import type { Database } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { parseRequest } from '../http/validate.js';

const credentials = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) }).strict();

export interface SessionRouteOptions {
  sessionHours: number;
  lockout: LockoutPolicy;
  loginRateLimitPerMinute: number;
  /** Cookies get `Secure` when the console is served over https (PUBLIC_URL). */
  secureCookies: boolean;
}

/** `/console/api/session`: sign in with a password, who am I (+ CSRF token), sign out here or everywhere. */
export function sessionRouter(db: Database, sessions: Sessions, options: SessionRouteOptions): Router {
  const router = express.Router();
  const cookie = (res: Response, value: string, expires: Date) =>
    res.cookie(SESSION_COOKIE, value, { httpOnly: true, secure: options.secureCookies, sameSite: 'strict', path: '/', expires });
  const current = async (req: Request) => {
    const token = cookieValue(req.get('cookie'), SESSION_COOKIE);
    return token ? sessions.resolve(token) : undefined;
  };

  const limit = options.loginRateLimitPerMinute > 0
    ? [rateLimit({
        windowMs: 60_000, limit: options.loginRateLimitPerMinute, standardHeaders: 'draft-7', legacyHeaders: false,
        keyGenerator: (req) => `login:${ipKeyGenerator(req.ip ?? '')}`,
        handler: (_req, res) => void res.status(429).json({ error: { code: 'RATE_LIMITED', message: 'too many sign-in attempts; wait a minute' } }),
      })]
    : [];

  router.post('/session', ...limit, async (req, res) => {
    const body = parseRequest(credentials, req.body);
    const result = await signInWithPassword(db, body.email, body.password, options.lockout);
    const address = req.ip;
    if (!result.ok) {
      await writeAudit(db.prisma, { actor: body.email.toLowerCase(), via: 'console', action: 'auth.sign_in_failed', target: result.account ? `account:${result.account.email}` : null, after: { reason: result.reason }, address });
      // Locked and wrong password say different things: the person must know to wait; both are 401.
      if (result.reason === 'locked') throw new FrontlineError('UNAUTHORIZED', 'this account is locked after too many failed sign-ins; try again later');
      throw new FrontlineError('UNAUTHORIZED', 'wrong email or password');
    }
    const created = await sessions.create(result.account.id, { userAgent: req.get('user-agent'), address });
    await writeAudit(db.prisma, { actor: result.account.email, via: 'console', action: 'auth.sign_in', target: `account:${result.account.email}`, after: { method: 'password' }, address });
    cookie(res, created.token, created.expiresAt);
    res.status(201).json({ account: presentAccount(result.account), csrfToken: created.csrfToken });
  });

  router.get('/session', async (req, res) => {
    const session = await current(req);
    if (!session) throw new FrontlineError('UNAUTHORIZED', 'not signed in');
    res.json({ account: presentAccount(session.account), csrfToken: session.csrfToken });
  });

  router.delete('/session', async (req, res) => {
    const session = await current(req);
    if (!session) throw new FrontlineError('UNAUTHORIZED', 'not signed in');
    if (req.get('x-csrf-token') !== session.csrfToken) throw new FrontlineError('FORBIDDEN', 'missing or wrong CSRF token (X-CSRF-Token)');
    const everywhere = req.query.everywhere === 'true';
    if (everywhere) await sessions.endAll(session.account.id);
    else await sessions.end(session.sessionId);
    await writeAudit(db.prisma, { actor: session.account.email, via: 'console', action: everywhere ? 'auth.sign_out_everywhere' : 'auth.sign_out', target: `account:${session.account.email}`, address: req.ip });
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  return router;
}
