import type { Command } from 'commander';
import { createApiToken, listApiTokens } from '../../http/auth.js';
import { withDatabase } from '../context.js';

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('create an API token; the secret is printed once')
    .requiredOption('--role <role>', 'admin, agent, read_only or alerts (monitoring: may only post alerts)')
    .option('--name <name>', 'who or what uses it', 'cli')
    .action(async (opts: { role: string; name: string }) => {
      if (!['admin', 'agent', 'read_only', 'alerts'].includes(opts.role)) {
        process.stderr.write('frontline: --role must be admin, agent, read_only or alerts\n');
        process.exitCode = 2;
        return;
      }
      await withDatabase(async (db) => {
      const created = await createApiToken(db, opts.name, opts.role as 'admin' | 'agent' | 'read_only' | 'alerts');
      process.stdout.write(`${created.token}\n`);
      process.stderr.write(`token ${created.id} (${opts.role}) created; store it now, it is not shown again\n`);
      });
    });
  token
    .command('list')
    .description('list API tokens (id, name, role, last use); secrets are never shown')
    .option('--revoked', 'include revoked tokens')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { revoked?: boolean; json?: boolean }) => {
      await withDatabase(async (db) => {
        const tokens = await listApiTokens(db, { includeRevoked: opts.revoked === true });
        for (const t of tokens) {
          process.stdout.write(opts.json ? `${JSON.stringify(t)}\n` : `${t.id}  ${t.role.padEnd(9)}  ${t.name}  last used ${t.lastUsedAt ?? 'never'}${t.revokedAt ? `  revoked ${t.revokedAt}` : ''}\n`);
        }
        if (!tokens.length && !opts.json) process.stdout.write('no tokens\n');
      });
    });
  token
    .command('revoke <id>')
    .description('revoke a token by id')
    .action(async (id: string) => {
      await withDatabase(async (db) => {
      const r = await db.prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
      process.stdout.write(r.count ? 'revoked\n' : 'no active token with that id\n');
      });
    });
}
