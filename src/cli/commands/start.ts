import type { Command } from 'commander';
import { createFrontline, type Frontline } from '../../app.js';
import { createApiToken } from '../../http/auth.js';
import { importStarterKbIfEmpty } from '../../kb/starter.js';
import { channelsFromEnv } from '../../channel-registry.js';
import { cliConfig } from '../context.js';
import { portFree, portInUse, showBootstrapToken } from '../start-checks.js';

/**
 * A fresh install has no API tokens and the embedded database cannot be opened by a second process while the
 * server runs, so the first start creates one admin token and prints it once.
 */
async function bootstrapAdminToken(frontline: Frontline): Promise<string | undefined> {
  if ((await frontline.db.prisma.apiToken.count()) > 0) return undefined;
  // A reply sent with a token is signed with its name unless it names an author: reporters read this one.
  return (await createApiToken(frontline.db, 'Service desk', 'admin')).token;
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the server (web chat, API, channels)')
    .option('-p, --port <port>', 'port to listen on (PORT)')
    .option('--host <host>', 'interface to bind (HOST)')
    .action(async (opts: { port?: string; host?: string }) => {
      const config = cliConfig({ ...(opts.port ? { PORT: opts.port } : {}), ...(opts.host ? { HOST: opts.host } : {}) }, 'info');
      // Before migrations and channels: a second server on the port should hear so, not see a stack trace.
      if (!(await portFree(config.PORT, config.HOST))) {
        process.stderr.write(portInUse(config.PORT));
        process.exitCode = 1;
        return;
      }
      const frontline = await createFrontline(config, { channels: await channelsFromEnv(process.env) });
      await importStarterKbIfEmpty(frontline);
      let port: number;
      try {
        port = await frontline.listen();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        // Taken between the check and now.
        process.stderr.write(portInUse(config.PORT));
        await frontline.close();
        process.exitCode = 1;
        return;
      }
      const bootstrap = await bootstrapAdminToken(frontline);
      const shown = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
      const url = config.PUBLIC_URL ?? `http://${shown}:${port}`;
      frontline.logger.info({ url, database: frontline.db.kind, channels: [...frontline.channels.keys()] }, 'Frontline is running');
      process.stdout.write(`\nFrontline is running: ${url}\n  web chat  ${url}/\n  API       ${url}/api/v1/openapi.json\n\n`);
      if (bootstrap) showBootstrapToken(bootstrap, config.FRONTLINE_DATA_DIR);
      // [console] until someone can sign in, say how.
      if ((await frontline.db.prisma.account.count()) === 0) process.stdout.write(`  console   ${url}/console — first create an account: npx frontline users create --role admin --email you@example.com\n\n`);

      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        frontline.logger.info({ signal }, 'shutting down');
        const timer = setTimeout(() => {
          frontline.logger.error('shutdown timed out; exiting');
          process.exit(1);
        }, config.SHUTDOWN_TIMEOUT_MS);
        timer.unref();
        frontline.close().then(
          () => process.exit(0),
          (err: unknown) => {
            frontline.logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });
}
