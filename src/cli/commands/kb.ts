import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { FrontlineError } from '../../errors.js';
import { deflectionStats } from '../../dialog/deflection.js';
import { importKb } from '../../kb/import.js';
import { createKbRanker, KB_RANKER_KINDS, type KbRanker, type KbRankerKind, kbRankerKindFromEnv } from '../../kb/ranker.js';
import { withDatabase } from '../context.js';
import { KB_CATEGORIES, KB_LANGUAGES } from '../../kb/text.js';

export interface KbCliIo {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

/** Fewer articles than this import too fast for a progress bar to be worth drawing. */
const PROGRESS_MIN_ARTICLES = 20;

/** One line of `kb search --input`: extra fields (e.g. `expected` in bench query sets) are ignored. */
const batchLineSchema = z.object({ id: z.union([z.string(), z.number()]), query: z.string() });

interface SearchOptions {
  top: number;
  json?: boolean;
  language?: string;
  category?: string;
  input?: string;
  ranker?: KbRankerKind;
}

/** `frontline kb import|search|stats`. Data goes to stdout, progress and diagnostics to stderr. */
export function registerKbCommands(
  program: Command,
  openDb: () => Promise<Database>,
  io: KbCliIo = { stdout: process.stdout, stderr: process.stderr },
): void {
  const kb = program.command('kb').description('knowledge base: import articles and search them');

  kb.command('import')
    .description('import articles from a directory of Markdown files or a JSONL file (upsert by id)')
    .argument('<source>', 'directory of .md files (front matter + body) or .jsonl file')
    .action(async (source: string) => {
      await withDatabase(async (db) => {
        const bar = new cliProgress.SingleBar(
          { stream: io.stderr, format: 'importing {bar} {value}/{total} articles', hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        let started = false;
        try {
          const result = await importKb(db, source, {
            onProgress: (done, total) => {
              if (!started && total >= PROGRESS_MIN_ARTICLES) {
                bar.start(total, 0);
                started = true;
              }
              if (started) bar.update(done);
            },
          });
          if (started) bar.stop();
          started = false;
          io.stdout.write(`${JSON.stringify(result)}\n`);
        } finally {
          if (started) bar.stop();
        }
      }, openDb);
    });

  kb.command('stats')
    .description('articles per language, and self-service numbers: suggestions, click-through, "did it help", deflections')
    .option('--since <date>', 'only count feedback from this ISO date or date-time on', isoDate)
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { since?: Date; json?: boolean }) => {
      await withDatabase(async (db) => {
        const articles = (await db.pool.query<{ language: string; category: string | null; n: number }>(
          'SELECT language, category, count(*)::int AS n FROM kb_article GROUP BY 1, 2 ORDER BY 1, 2')).rows;
        const usage = await deflectionStats(db, opts.since);
        if (opts.json) {
          io.stdout.write(`${JSON.stringify({ articles, ...usage })}\n`);
          return;
        }
        io.stdout.write(formatStats(articles, usage));
      }, openDb);
    });

  kb.command('search')
    .description('search the knowledge base; with --input, answer a JSONL file of {id, query} lines')
    .argument('[query]', 'what the user wrote')
    .option('--top <n>', 'number of results', positiveInt, 10)
    .option('--json', 'print JSON instead of a table')
    .addOption(new Option('--language <code>', 'only articles in this language').choices(KB_LANGUAGES))
    .addOption(new Option('--category <name>', 'only articles in this category').choices(KB_CATEGORIES))
    .option('--input <file.jsonl>', 'batch mode: one {"id","query"} per line; prints JSONL in input order')
    .addOption(new Option('--ranker <kind>', 'ranking engine (default: KB_RANKER or memory)').choices(KB_RANKER_KINDS))
    .action(async (query: string | undefined, opts: SearchOptions) => {
      if (!query && !opts.input) throw new InvalidArgumentError('give a query or --input <file.jsonl>');
      await withDatabase(async (db) => {
        const ranker = await createKbRanker(db, opts.ranker ?? kbRankerKindFromEnv());
        const filters = {
          top: opts.top,
          ...(opts.language ? { language: opts.language } : {}),
          ...(opts.category ? { category: opts.category } : {}),
        };
        if (opts.input) {
          await searchBatch(ranker, opts.input, filters, io.stdout);
          return;
        }
        const hits = await ranker.search(query ?? '', filters);
        if (opts.json) {
          io.stdout.write(`${JSON.stringify(hits.map(({ id, title, score }) => ({ id, title, score: round(score) })))}\n`);
        } else if (!hits.length) {
          io.stdout.write('no matching article\n');
        } else {
          for (const h of hits) io.stdout.write(`${round(h.score).toFixed(3).padStart(9)}  ${h.id.padEnd(32)}  ${h.title}\n`);
        }
      }, openDb);
    });
}

/** Answers line by line, so output order is input order and memory stays flat for large files. */
async function searchBatch(
  ranker: KbRanker,
  file: string,
  filters: { top: number; language?: string; category?: string },
  out: Writable,
): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let parsed: z.infer<typeof batchLineSchema>;
    try {
      parsed = batchLineSchema.parse(JSON.parse(line));
    } catch (err) {
      const detail = err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message;
      throw new FrontlineError('BAD_REQUEST', `${file}:${n}: expected {"id","query"}: ${detail}`);
    }
    const hits = await ranker.search(parsed.query, filters);
    out.write(`${JSON.stringify({ id: parsed.id, results: hits.map((h) => ({ id: h.id, score: round(h.score) })) })}\n`);
  }
}

/** The human table of `kb stats`: article counts, then the self-service funnel. */
function formatStats(articles: { language: string; category: string | null; n: number }[], u: Awaited<ReturnType<typeof deflectionStats>>): string {
  const perLanguage = new Map<string, number>();
  for (const a of articles) perLanguage.set(a.language, (perLanguage.get(a.language) ?? 0) + a.n);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `articles: ${[...perLanguage].map(([lang, n]) => `${lang} ${n}`).join(', ') || 'none'}`,
    `since: ${u.since ?? 'the beginning'}`,
    `conversations shown suggestions: ${u.conversationsWithSuggestions}`,
    `suggestions shown: ${u.suggested}, opened: ${u.opened} (click-through ${pct(u.clickThroughRate)})`,
    `"did it help" answers: ${u.answered}, helped: ${u.helped}`,
    `deflections: ${u.deflections} (rate ${pct(u.deflectionRate)})`,
  ];
  if (u.topArticles.length) {
    lines.push('top articles (opened / helped / did not help):');
    for (const a of u.topArticles.slice(0, 10)) lines.push(`  ${a.articleId.padEnd(32)} ${String(a.opened).padStart(5)} ${String(a.helped).padStart(5)} ${String(a.notHelped).padStart(5)}`);
  }
  return `${lines.join('\n')}\n`;
}

function isoDate(value: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('expected an ISO date such as 2026-01-31 or 2026-01-31T08:00:00Z');
  }
  return new Date(value);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('expected an integer from 1 to 1000');
  return n;
}

function round(score: number): number {
  return Math.round(score * 1e4) / 1e4;
}
