import type { Command } from 'commander';
import { openDatabase } from '../../db/database.js';
import { applyMigrations, pendingMigrations } from '../../db/migrations.js';
import { FrontlineError } from '../../errors.js';
import { cliConfig } from '../context.js';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations (also done automatically at start)')
    .action(async () => {
      const config = cliConfig();
      const database = await openDatabase(config, undefined, { migrate: false, attach: true });
      try {
        if (database.attachedTo !== undefined) {
          // The running server owns the schema: it migrated at its start and must not see it change under it.
          const pending = await pendingMigrations(database.pool);
          if (pending.length) {
            throw new FrontlineError(
              'DB_EMBEDDED_LOCKED',
              `the server (process ${database.attachedTo}) is using this database; restart it to apply ${pending.join(', ')} ` +
                '(it migrates at start), or stop it and run this command again',
            );
          }
          process.stdout.write('database is up to date\n');
          return;
        }
        const applied = await applyMigrations(database.pool);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await database.close();
      }
    });
  db.command('status')
    .description('list migrations not yet applied')
    .action(async () => {
      const database = await openDatabase(cliConfig(), undefined, { migrate: false, attach: true });
      try {
        const pending = await pendingMigrations(database.pool);
        process.stdout.write(pending.length ? `pending: ${pending.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await database.close();
      }
    });
}
