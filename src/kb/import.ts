import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Database } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { storable } from '../security/sanitize.js';
import { type KbArticleInput, parseArticle, parseJsonlArticle } from './article.js';

export interface KbImportResult {
  total: number;
  created: number;
  updated: number;
  /** Already stored with identical content: not rewritten, so `updatedAt` keeps meaning "content changed". */
  unchanged: number;
}

export interface KbImportOptions {
  /** Called once the source is parsed (done = 0) and after each article is stored. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Imports articles from a directory of Markdown files (searched recursively) or a JSONL file, upserting by id.
 * The whole source is parsed and validated before anything is written, so a bad file leaves the KB untouched.
 */
export async function importKb(db: Database, source: string, options: KbImportOptions = {}): Promise<KbImportResult> {
  const articles = await readKbSource(source);
  const total = articles.length;
  options.onProgress?.(0, total);
  const existing = new Map(
    (await db.prisma.kbArticle.findMany({ where: { id: { in: articles.map((a) => a.id) } } })).map((a) => [a.id, a]),
  );
  const result: KbImportResult = { total, created: 0, updated: 0, unchanged: 0 };
  let done = 0;
  for (const article of articles) {
    const before = existing.get(article.id);
    if (before && sameContent(before, article)) {
      result.unchanged++;
    } else {
      // upsert rather than create/update: another instance may import the same KB concurrently.
      await db.prisma.kbArticle.upsert({ where: { id: article.id }, create: article, update: article });
      if (before) result.updated++;
      else result.created++;
    }
    options.onProgress?.(++done, total);
  }
  return result;
}

/** Reads and validates every article of a source without touching the database. */
export async function readKbSource(source: string): Promise<KbArticleInput[]> {
  const info = await stat(source).catch(() => null);
  if (!info) throw new FrontlineError('NOT_FOUND', `KB source not found: ${source}`);
  const articles = info.isDirectory() ? await readMarkdownDir(source) : await readJsonl(source);
  const seen = new Map<string, string>();
  for (const { article, origin } of articles) {
    const first = seen.get(article.id);
    if (first) {
      throw new FrontlineError('BAD_REQUEST', `${origin}: duplicate article id "${article.id}" (first in ${first})`, {
        source: origin,
      });
    }
    seen.set(article.id, origin);
  }
  // A file from a word processor may carry control characters the database cannot store.
  return articles.map((a) => storable(a.article));
}

interface Located {
  article: KbArticleInput;
  origin: string;
}

async function readMarkdownDir(dir: string): Promise<Located[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.md') && e.name.toLowerCase() !== 'readme.md')
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  const out: Located[] = [];
  for (const file of files) out.push({ article: parseArticle(file, await readFile(file, 'utf8')), origin: file });
  return out;
}

async function readJsonl(file: string): Promise<Located[]> {
  if (!/\.jsonl?$/i.test(file)) {
    throw new FrontlineError('BAD_REQUEST', `${file}: expected a directory of .md files or a .jsonl file`);
  }
  const out: Located[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    const where = `${file}:${n}`;
    out.push({ article: parseJsonlArticle(where, line), origin: where });
  }
  return out;
}

function sameContent(stored: KbArticleInput, next: KbArticleInput): boolean {
  return (
    stored.title === next.title &&
    stored.body === next.body &&
    stored.language === next.language &&
    (stored.category ?? null) === (next.category ?? null) &&
    stored.tags.length === next.tags.length &&
    stored.tags.every((t, i) => t === next.tags[i])
  );
}
