import os from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { Pool } from 'pg';
import { TerminalAdapter } from '../../../channels/terminal/adapter.js';
import { createFrontline } from '../../app.js';
import { importStarterKbIfEmpty } from '../../kb/starter.js';
import { cliConfig } from '../context.js';

export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description('talk to the bot in this terminal (same pipeline as every channel); /quit to leave')
    .option('--user <name>', 'who you are', os.userInfo().username)
    .option('--locale <lang>', 'language: en, sv, es, pt')
    .option('--new', 'start a new conversation instead of resuming yours')
    .action(async (opts: { user: string; locale?: string; new?: boolean }) => {
      const config = cliConfig({ WEBCHAT_ENABLED: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' });
      const session = opts.new ? `${opts.user}:${Date.now()}` : opts.user;
      const terminal = new TerminalAdapter(session);
      const frontline = await createFrontline(config, { channels: [terminal], attach: true });
      await importStarterKbIfEmpty(frontline);
      // The reader is created after the conversation opens: readline drops lines emitted before iteration starts.
      let rl: ReturnType<typeof createInterface> | undefined;
      try {
        await terminal.open(opts.user, opts.locale);
        rl = createInterface({ input: process.stdin, terminal: false });
        await terminal.run(rl, opts.user);
        // Let the last replies through before closing.
        await waitForDrain(frontline.db.pool);
      } finally {
        rl?.close();
        await frontline.close();
      }
    });
}

async function waitForDrain(pool: Pool, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_message WHERE status = 'pending' AND channel = 'terminal'`);
    if ((rows[0]?.n ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
