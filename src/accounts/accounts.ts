import { z } from 'zod';
import type { Account, ApiRole, Database, Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.js';

type Client = Database['prisma'] | Tx;

export const accountRole = z.enum(['admin', 'agent', 'read_only']);
const group = z.string().trim().min(1).max(120);

export const newAccountInput = z
  .object({
    email: z.email().max(320).transform((e) => e.toLowerCase()),
    displayName: z.string().trim().min(1).max(200).optional(),
    role: accountRole,
    groups: z.array(group).max(50).default([]),
    password: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(1024).optional(),
  })
  .strict();
export type NewAccount = z.input<typeof newAccountInput>;

export const accountPatchInput = z
  .object({
    displayName: z.string().trim().min(1).max(200).optional(),
    role: accountRole.optional(),
    groups: z.array(group).max(50).optional(),
    disabled: z.boolean().optional(),
    password: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(1024).optional(),
  })
  .strict();
export type AccountPatch = z.infer<typeof accountPatchInput>;

/** An account as the API shows it: never the password hash. */
export function presentAccount(a: Account) {
  return {
    id: a.id,
    email: a.email,
    displayName: a.displayName,
    role: a.role as ApiRole,
    groups: a.groups,
    signIn: [a.passwordHash ? 'password' : null, a.oidcSubject ? 'oidc' : null].filter(Boolean),
    disabled: a.disabledAt !== null,
    lockedUntil: a.lockedUntil?.toISOString() ?? null,
    lastLoginAt: a.lastLoginAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}
export type AccountView = ReturnType<typeof presentAccount>;

export async function createAccount(db: Client, input: NewAccount): Promise<Account> {
  const a = newAccountInput.parse(input);
  const exists = await db.account.findUnique({ where: { email: a.email }, select: { id: true } });
  if (exists) throw new FrontlineError('CONFLICT', `an account for ${a.email} exists`);
  return db.account.create({
    data: {
      email: a.email,
      displayName: a.displayName ?? a.email.split('@')[0]!,
      role: a.role,
      groups: a.groups,
      passwordHash: a.password ? await hashPassword(a.password) : null,
    },
  });
}

export async function updateAccount(db: Client, id: string, patch: AccountPatch): Promise<{ before: Account; after: Account }> {
  const before = await db.account.findUnique({ where: { id } });
  if (!before) throw new FrontlineError('NOT_FOUND', 'no such account');
  const after = await db.account.update({
    where: { id },
    data: {
      ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.groups !== undefined ? { groups: patch.groups } : {}),
      ...(patch.disabled !== undefined ? { disabledAt: patch.disabled ? (before.disabledAt ?? new Date()) : null } : {}),
      // A new password also lifts a lockout: an admin resetting it has checked who asks.
      ...(patch.password !== undefined ? { passwordHash: await hashPassword(patch.password), failedLogins: 0, lockedUntil: null } : {}),
    },
  });
  // Disabling or a role change ends every session of the account at once.
  if (patch.disabled || (patch.role !== undefined && patch.role !== before.role)) await db.consoleSession.deleteMany({ where: { accountId: id } });
  return { before, after };
}

export const findAccountByEmail = (db: Client, email: string) => db.account.findUnique({ where: { email: email.trim().toLowerCase() } });

export async function listAccounts(db: Client): Promise<AccountView[]> {
  return (await db.account.findMany({ orderBy: { email: 'asc' } })).map(presentAccount);
}
