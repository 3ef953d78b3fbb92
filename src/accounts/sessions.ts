import { createHash, randomBytes } from 'node:crypto';
import type { Account, Database } from '../db/database.js';

export const SESSION_COOKIE = 'fl_session';
const hash = (token: string) => createHash('sha256').update(token).digest('hex');
/** Writing last-seen at most once a minute: a hint for "signed-in browsers", not worth a write per request. */
const TOUCH_MS = 60_000;

export interface SignedIn {
  sessionId: string;
  csrfToken: string;
  account: Account;
}

/** Sessions live in the database, so any instance serves any request and logout is immediate everywhere. */
export class Sessions {
  constructor(
    private readonly db: Database,
    private readonly ttlHours: number,
  ) {}

  async create(accountId: string, meta: { userAgent?: string | undefined; address?: string | undefined }): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlHours * 3_600_000);
    await this.db.prisma.consoleSession.create({
      data: { tokenHash: hash(token), accountId, csrfToken, expiresAt, userAgent: meta.userAgent?.slice(0, 400) ?? null, address: meta.address ?? null },
    });
    return { token, csrfToken, expiresAt };
  }

  /** The session behind a cookie value; undefined when unknown, expired, or its account is disabled. */
  async resolve(token: string): Promise<SignedIn | undefined> {
    const row = await this.db.prisma.consoleSession.findUnique({ where: { tokenHash: hash(token) }, include: { account: true } });
    if (!row) return undefined;
    const now = Date.now();
    if (row.expiresAt.getTime() <= now || row.account.disabledAt) {
      await this.db.prisma.consoleSession.deleteMany({ where: { id: row.id } });
      return undefined;
    }
    if (now - row.lastSeenAt.getTime() > TOUCH_MS) {
      await this.db.prisma.consoleSession.updateMany({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } });
    }
    return { sessionId: row.id, csrfToken: row.csrfToken, account: row.account };
  }

  async end(sessionId: string): Promise<void> {
    await this.db.prisma.consoleSession.deleteMany({ where: { id: sessionId } });
  }

  /** "Sign out everywhere": every browser of the account. */
  async endAll(accountId: string): Promise<number> {
    return (await this.db.prisma.consoleSession.deleteMany({ where: { accountId } })).count;
  }
}

/** The value of one cookie from a Cookie header (no parser dependency for one name). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}
