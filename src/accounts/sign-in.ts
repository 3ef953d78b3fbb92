import type { Account, Database } from '../db/database.js';
import { decoyHash, verifyPassword } from './passwords.js';

export interface LockoutPolicy {
  maxFailures: number;
  lockoutMinutes: number;
}

export type SignInResult = { ok: true; account: Account } | { ok: false; reason: 'invalid' | 'locked' | 'disabled'; account?: Account };

/**
 * Password sign-in with lockout: after `maxFailures` wrong passwords in a row the account refuses every
 * password (even the right one) for `lockoutMinutes`. Unknown emails cost one hash too, so timing does not tell
 * which emails have accounts; the answer to the browser is the same for both.
 */
export async function signInWithPassword(db: Database, email: string, password: string, policy: LockoutPolicy, now = new Date()): Promise<SignInResult> {
  const account = await db.prisma.account.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!account?.passwordHash) {
    await verifyPassword(password, await decoyHash());
    return { ok: false, reason: 'invalid' };
  }
  if (account.lockedUntil && account.lockedUntil > now) return { ok: false, reason: 'locked', account };
  const valid = await verifyPassword(password, account.passwordHash);
  if (!valid) {
    // Counted in SQL so concurrent attempts on several instances all count.
    const [row] = await db.prisma.$queryRaw<{ failed_logins: number }[]>`
      UPDATE account SET failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= ${now} THEN 1 ELSE failed_logins + 1 END,
                         locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= ${now} THEN NULL ELSE locked_until END
      WHERE id = ${account.id}::uuid RETURNING failed_logins`;
    if ((row?.failed_logins ?? 0) >= policy.maxFailures) {
      await db.prisma.account.update({ where: { id: account.id }, data: { lockedUntil: new Date(now.getTime() + policy.lockoutMinutes * 60_000) } });
      return { ok: false, reason: 'locked', account };
    }
    return { ok: false, reason: 'invalid', account };
  }
  if (account.disabledAt) return { ok: false, reason: 'disabled', account };
  const updated = await db.prisma.account.update({ where: { id: account.id }, data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now } });
  return { ok: true, account: updated };
}
