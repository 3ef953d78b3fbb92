import pino, { type Logger } from 'pino';
import type { Config } from './config/load.js';

export type { Logger } from 'pino';

/** Pretty logs for a person at a terminal, JSON for everything else (log shippers, CI). */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>): Logger {
  const pretty = config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && process.stdout.isTTY);
  return pino({
    level: config.LOG_LEVEL,
    base: { service: 'frontline' },
    redact: { paths: ['*.token', '*.authorization', '*.password', '*.secret', 'req.headers.authorization'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } } : {}),
  });
}
