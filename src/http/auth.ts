import { createHash, randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { ApiRole, Database } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { bearerToken } from './bearer.js';
import { cookieValue, SESSION_COOKIE, Sessions } from '../accounts/sessions.js';
import { withAuditActor } from '../audit/log.js';

/** API tokens: `fl_<random>`; only their sha256 is stored, the secret is shown once when created. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createApiToken(db: Database, name: string, role: ApiRole): Promise<{ id: string; token: string }> {
  const token = `fl_${randomBytes(32).toString('base64url')}`;
  const row = await db.prisma.apiToken.create({ data: { name, role, tokenHash: hashToken(token) }, select: { id: true } });
  return { id: row.id, token };
}

export interface ApiPrincipal {
  tokenId: string;
  name: string;
  role: ApiRole;
  /** [console] Set when a signed-in person (console session) rather than a token makes the request. */
  accountId?: string;
  /** [console] The person's assignment groups: confidential incidents of other groups stay hidden (admins see all). */
  groups?: string[];
  /** [console] How timelines name the actor: `api:<token name>` or `console:<display name>`. */
  actor?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: ApiPrincipal;
  }
}

// `alerts` (monitoring systems posting alerts) ranks below read_only: it may post alerts and read nothing.
const RANK: Record<ApiRole, number> = { alerts: -1, read_only: 0, agent: 1, admin: 2 };

/** Authenticates the bearer token and requires at least `minimum` (read_only < agent < admin). */
export function requireRole(db: Database, minimum: ApiRole): RequestHandler {
  return async (req, _res, next) => {
    try {
      const principal = (req.principal ??= await authenticateRequest(db, req));
      if (RANK[principal.role] < RANK[minimum]) {
        throw new FrontlineError('FORBIDDEN', `this needs the ${minimum} role; the token has ${principal.role}`);
      }
      // [audit] whatever this request changes is attributed to its principal (src/audit/log.ts).
      const who = principal.accountId ? { actor: principal.name, via: 'console' } : { actor: `token:${principal.name}`, via: 'api' };
      withAuditActor({ ...who, address: req.ip }, () => next());
    } catch (err) {
      next(err);
    }
  };
}

/** Authenticates the bearer token and requires one of `roles` exactly (e.g. `alerts` or `admin` for alert intake). */
export function requireOneOf(db: Database, roles: ApiRole[]): RequestHandler {
  return async (req, _res, next) => {
    try {
      const principal = (req.principal ??= await authenticate(db, req.get('authorization')));
      if (!roles.includes(principal.role)) throw new FrontlineError('FORBIDDEN', `this needs one of the roles ${roles.join(', ')}; the token has ${principal.role}`);
      next();
    } catch (err) {
      next(err);
    }
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * [console] A bearer token wins; without one, a console session cookie. State-changing requests on a session
 * must carry its CSRF token in X-CSRF-Token (synchronizer token): a cross-site form cannot read it.
 */
async function authenticateRequest(db: Database, req: Request): Promise<ApiPrincipal> {
  const cookie = req.get('authorization') ? undefined : cookieValue(req.get('cookie'), SESSION_COOKIE);
  if (!cookie) return authenticate(db, req.get('authorization'));
  const session = await new Sessions(db, 0).resolve(cookie);
  if (!session) throw new FrontlineError('UNAUTHORIZED', 'not signed in (the session ended or the account is disabled)');
  if (UNSAFE.has(req.method) && req.get('x-csrf-token') !== session.csrfToken) {
    throw new FrontlineError('FORBIDDEN', 'missing or wrong CSRF token (X-CSRF-Token)');
  }
  const { account } = session;
  return { tokenId: `session:${account.id}`, name: account.email, role: account.role, accountId: account.id, groups: account.groups, actor: `console:${account.displayName}` };
}

/** [console] Confidential incidents: admins, tokens (machines) and members of the incident's group. */
export function maySeeConfidential(principal: ApiPrincipal | undefined, incident: { confidential: boolean; assignmentGroup: string | null }): boolean {
  if (!incident.confidential || !principal?.groups || principal.role === 'admin') return true;
  return incident.assignmentGroup !== null && principal.groups.includes(incident.assignmentGroup);
}

/** [console] A confidential incident of another group answers as if it did not exist. */
export function guardConfidential<T extends { confidential: boolean; assignmentGroup: string | null }>(principal: ApiPrincipal | undefined, incident: T): T {
  if (!maySeeConfidential(principal, incident)) throw new FrontlineError('NOT_FOUND', 'no such incident');
  return incident;
}

async function authenticate(db: Database, header: string | undefined): Promise<ApiPrincipal> {
  const token = bearerToken(header);
  if (!token) throw new FrontlineError('UNAUTHORIZED', 'missing bearer token (create one with: frontline token create --role agent)');
  const row = await db.prisma.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.revokedAt) throw new FrontlineError('UNAUTHORIZED', 'invalid or revoked token');
  // Record use at most once a minute: an audit hint, not worth a write per request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return { tokenId: row.id, name: row.name, role: row.role, actor: `api:${row.name}` };
}

/** Tokens as operators list them: never the secret or its hash. */
export async function listApiTokens(db: Database, options: { includeRevoked?: boolean } = {}) {
  const rows = await db.prisma.apiToken.findMany({
    where: options.includeRevoked ? {} : { revokedAt: null },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, role: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), lastUsedAt: r.lastUsedAt?.toISOString() ?? null, revokedAt: r.revokedAt?.toISOString() ?? null }));
}
