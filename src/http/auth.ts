import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ApiRole, Database } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { bearerToken } from './bearer.js';

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
      const principal = (req.principal ??= await authenticate(db, req.get('authorization')));
      if (RANK[principal.role] < RANK[minimum]) {
        throw new FrontlineError('FORBIDDEN', `this needs the ${minimum} role; the token has ${principal.role}`);
      }
      next();
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

async function authenticate(db: Database, header: string | undefined): Promise<ApiPrincipal> {
  const token = bearerToken(header);
  if (!token) throw new FrontlineError('UNAUTHORIZED', 'missing bearer token (create one with: frontline token create --role agent)');
  const row = await db.prisma.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.revokedAt) throw new FrontlineError('UNAUTHORIZED', 'invalid or revoked token');
  // Record use at most once a minute: an audit hint, not worth a write per request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return { tokenId: row.id, name: row.name, role: row.role };
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
