import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config/load.js';

/**
 * The key that signs web chat tokens. Production sets FRONTLINE_SECRET (config refuses DATABASE_URL without
 * it); an embedded install generates one on first start and keeps it in the data directory, so reloads keep
 * their conversations without any setup.
 */
export async function resolveSecret(config: Pick<Config, 'FRONTLINE_SECRET' | 'FRONTLINE_DATA_DIR'>): Promise<string> {
  if (config.FRONTLINE_SECRET) return config.FRONTLINE_SECRET;
  const file = path.resolve(config.FRONTLINE_DATA_DIR, 'secret');
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (existing.trim().length >= 32) return existing.trim();
  const secret = randomBytes(32).toString('hex');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}
