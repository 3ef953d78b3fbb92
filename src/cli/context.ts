import { loadConfig, loadDotEnv, type Config } from '../config/load.js';
import { type Database, openDatabase } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { createLogger } from '../logger.js';

/**
 * Config for CLI commands: `.env`, then the environment. One-shot commands log quietly unless LOG_LEVEL says
 * otherwise; the server (`start`) passes `info`.
 */
export function cliConfig(overrides: Partial<Record<keyof Config, string>> = {}, defaultLogLevel = 'warn'): Config {
  loadDotEnv();
  return loadConfig({ LOG_LEVEL: defaultLogLevel, ...process.env, ...overrides });
}

/**
 * Opens the configured database (DATABASE_URL or the embedded one in FRONTLINE_DATA_DIR), migrated. An embedded
 * database that a running server holds is used through that server (see `openDatabase`'s `attach`).
 */
export async function openCliDatabase(config = cliConfig()): Promise<Database> {
  return openDatabase(config, createLogger(config), { attach: true });
}

/** Opens the database for one command and always closes it, whatever the command does. */
export async function withDatabase<T>(fn: (db: Database) => Promise<T>, open: () => Promise<Database> = () => openCliDatabase()): Promise<T> {
  const db = await open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Prints a FrontlineError as one clear line (no stack) and exits non-zero. */
export function fail(err: unknown): never {
  if (err instanceof FrontlineError) {
    process.stderr.write(`frontline: ${err.message}\n`);
  } else {
    process.stderr.write(`frontline: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
}
