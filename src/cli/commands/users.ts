import type { Command } from 'commander';
import { createAccount, findAccountByEmail, listAccounts, presentAccount, updateAccount } from '../../accounts/accounts.js';
import { MIN_PASSWORD_LENGTH } from '../../accounts/passwords.js';
import { writeAudit } from '../../audit/log.js';
import { withDatabase } from '../context.js';
import { promptNewPassword } from '../prompt.js';

/** The password from FRONTLINE_PASSWORD (scripts), typed at the terminal (hidden) or piped; never a command-line argument (ps shows those). */
async function readPassword(): Promise<string> {
  if (process.env.FRONTLINE_PASSWORD) return process.env.FRONTLINE_PASSWORD;
  return promptNewPassword(`password (at least ${MIN_PASSWORD_LENGTH} characters): `);
}

const os = () => `cli:${process.env.USER ?? 'unknown'}`;

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('console accounts (people who sign in at /console)');
  users
    .command('create')
    .description('create an account with a local password (FRONTLINE_PASSWORD or prompted)')
    .requiredOption('--email <email>', 'sign-in email; also links the Slack/Teams agent with that email')
    .requiredOption('--role <role>', 'admin, agent or read_only')
    .option('--name <name>', 'display name shown to reporters and colleagues')
    .option('--group <group...>', 'assignment groups the person works in')
    .option('--no-password', 'no local password (OpenID Connect sign-in only)')
    .action(async (opts: { email: string; role: string; name?: string; group?: string[]; password: boolean }) => {
      const password = opts.password ? await readPassword() : undefined;
      await withDatabase(async (db) => {
        const account = await createAccount(db.prisma, {
          email: opts.email, role: opts.role as 'admin', groups: opts.group ?? [],
          ...(opts.name ? { displayName: opts.name } : {}), ...(password ? { password } : {}),
        });
        await writeAudit(db.prisma, { actor: os(), via: 'cli', action: 'account.create', target: `account:${account.email}`, after: presentAccount(account) });
        process.stdout.write(`account ${account.email} (${account.role}) created; sign in at /console\n`);
      });
    });
  users
    .command('list')
    .description('list accounts')
    .action(async () => {
      await withDatabase(async (db) => {
        for (const a of await listAccounts(db.prisma)) {
          process.stdout.write(`${a.email}  ${a.role.padEnd(9)}  ${a.groups.join(',') || '-'}${a.disabled ? '  disabled' : ''}${a.lockedUntil ? `  locked until ${a.lockedUntil}` : ''}\n`);
        }
      });
    });
  for (const [name, patch, what] of [
    ['disable', { disabled: true }, 'disable an account and end its sessions'],
    ['enable', { disabled: false }, 'enable a disabled account'],
    ['reset-password', undefined, 'set a new local password (lifts a lockout)'],
  ] as const) {
    users
      .command(`${name} <email>`)
      .description(what)
      .action(async (email: string) => {
        const change = patch ?? { password: await readPassword() };
        await withDatabase(async (db) => {
          const found = await findAccountByEmail(db.prisma, email);
          if (!found) {
            process.stderr.write(`frontline: no account for ${email}\n`);
            process.exitCode = 1;
            return;
          }
          const { before, after } = await updateAccount(db.prisma, found.id, change);
          await writeAudit(db.prisma, { actor: os(), via: 'cli', action: 'account.update', target: `account:${after.email}`, before: presentAccount(before), after: { ...presentAccount(after), ...('password' in change ? { passwordChanged: true } : {}) } });
          process.stdout.write(`${after.email}: ${name} done\n`);
        });
      });
  }
}
