import path from 'node:path';
import type { Frontline } from '../app.js';
import { importKb } from './import.js';

export const STARTER_KB_DIR = path.resolve(import.meta.dirname, '../../kb');

/** An empty knowledge base gets the shipped starter articles, so suggestions work out of the box. */
export async function importStarterKbIfEmpty(frontline: Frontline): Promise<void> {
  if (!frontline.config.KB_AUTO_IMPORT || (await frontline.db.prisma.kbArticle.count()) > 0) return;
  const result = await importKb(frontline.db, STARTER_KB_DIR);
  frontline.logger.info({ articles: result.total }, 'starter knowledge base imported');
}
