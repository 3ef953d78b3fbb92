import type { Command } from 'commander';
import { createFrontline } from '../../app.js';
import { channelsFromEnv } from '../../channel-registry.js';
import { cliConfig } from '../context.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the server (web chat, API, channels)')
    .option('-p, --port <port>', 'port to listen on (PORT)')
    .option('--host <host>', 'interface to bind (HOST)')
    .action(async (opts: { port?: string; host?: string }) => {
      const config = cliConfig({ ...(opts.port ? { PORT: opts.port } : {}), ...(opts.host ? { HOST: opts.host } : {}) });
      const frontline = await createFrontline(config, { channels: await channelsFromEnv(process.env) });
      const port = await frontline.listen();
      const shown = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
      const url = config.PUBLIC_URL ?? `http://${shown}:${port}`;
      frontline.logger.info({ url, database: frontline.db.kind, channels: [...frontline.channels.keys()] }, 'Frontline is running');
      process.stdout.write(`\nFrontline is running: ${url}\n  web chat  ${url}/\n  API       ${url}/api/v1/openapi.json\n\n`);

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
