import type { Command } from 'commander';
import { deleteAgentOverride, listAgentOverrides, upsertAgentOverride } from '../../agents/overrides.js';
import type { Database } from '../../db/database.js';
import { openCliDatabase, withDatabase } from '../context.js';

/** `frontline agents …`: the agent override table (name reporters see, email, active) per channel account. */
export function registerAgentCommands(program: Command, open: () => Promise<Database> = () => openCliDatabase()): void {
  const agents = program.command('agents').description('agent override table: display names and who may act on incidents');
  agents
    .command('list')
    .description('list the overrides')
    .option('--channel <channel>', 'only this channel (e.g. slack)')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { channel?: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const rows = await listAgentOverrides(db, opts.channel);
        for (const r of rows) {
          process.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : `${r.channel}\t${r.key}\t${r.displayName ?? '-'}\t${r.email ?? '-'}\t${r.active ? 'active' : 'inactive'}\n`);
        }
        if (!rows.length && !opts.json) process.stderr.write('no agent overrides\n');
      }, open);
    });
  agents
    .command('set <key>')
    .description('add or change an override; <key> is a Slack user id (U…), a Teams AAD object id or an email address')
    .option('--name <displayName>', 'the name reporters see')
    .option('--email <email>', "the agent's email")
    .option('--inactive', 'refuse this account on cards, even when an agent group includes it')
    .option('--active', 'allow this account to act on cards')
    .option('--channel <channel>', 'channel of the account', 'slack')
    .action(async (key: string, opts: { name?: string; email?: string; inactive?: boolean; active?: boolean; channel: string }) => {
      if (opts.active && opts.inactive) {
        process.stderr.write('frontline: use --active or --inactive, not both\n');
        process.exitCode = 2;
        return;
      }
      const active = opts.inactive ? false : opts.active ? true : undefined;
      await withDatabase(async (db) => {
        const row = await upsertAgentOverride(db, { channel: opts.channel, key, displayName: opts.name, email: opts.email, active });
        process.stdout.write(`${JSON.stringify(row)}\n`);
      }, open);
    });
  agents
    .command('remove <key>')
    .description('delete an override')
    .option('--channel <channel>', 'channel of the account', 'slack')
    .action(async (key: string, opts: { channel: string }) => {
      await withDatabase(async (db) => {
        const removed = await deleteAgentOverride(db, key, opts.channel);
        process.stdout.write(removed ? 'removed\n' : 'no override with that key\n');
        if (!removed) process.exitCode = 1;
      }, open);
    });
}
