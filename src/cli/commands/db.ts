import type { Command } from 'commander';
import { openDatabase } from '../../db/database.js';
import { applyMigrations, pendingMigrations } from '../../db/migrations.js';
import { cliConfig } from '../context.js';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations (also done automatically at start)')
    .action(async () => {
      const config = cliConfig();
      const database = await openDatabase(config, undefined, { migrate: false });
      try {
        const applied = await applyMigrations(database.pool);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await database.close();
      }
    });
  db.command('status')
    .description('list migrations not yet applied')
    .action(async () => {
      const database = await openDatabase(cliConfig(), undefined, { migrate: false });
      try {
        const pending = await pendingMigrations(database.pool);
        process.stdout.write(pending.length ? `pending: ${pending.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await database.close();
      }
    });
}
