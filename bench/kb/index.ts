// `npm run bench -- kb [--postgres URL]`: imports the starter KB into a temporary embedded database (or a fresh
// database on the given PostgreSQL server), runs the query sets against every ranker and prints MRR@10 and
// recall@3 per language, with and without the language filter. Writes bench/results/kb.json.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { openDatabase } from '../../src/db/database.js';
import { importKb } from '../../src/kb/import.js';
import type { KbRanker } from '../../src/kb/ranker.js';
import { PgRanker } from '../../src/kb/rankers/pg.js';
import { MemoryRanker } from '../../src/kb/rankers/memory.js';
import { KB_LANGUAGES } from '../../src/kb/text.js';
import { createScratchDatabase } from '../lib/scratch-db.js';
import { embeddingRankers } from './embeddings.js'; // [llm]

const root = path.resolve(import.meta.dirname, '../..');
const querySchema = z.object({ id: z.string(), query: z.string(), expected: z.array(z.string()).min(1) });
type BenchQuery = z.infer<typeof querySchema>;

interface Metrics {
  queries: number;
  mrr10: number;
  recall3: number;
  recall1: number;
  msPerQuery: number;
}

export default async function run(args: string[]): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'frontline-kb-bench-'));
  const serverUrl = args[args.indexOf('--postgres') + 1];
  const scratch = args.includes('--postgres') && serverUrl ? await createScratchDatabase(serverUrl, 'frontline_kb_bench') : undefined;
  const db = await openDatabase({
    DATABASE_URL: scratch?.url,
    DATABASE_POOL_SIZE: 4,
    FRONTLINE_DATA_DIR: dataDir,
    FRONTLINE_AUTO_MIGRATE: true,
  });
  let embeddings: Awaited<ReturnType<typeof embeddingRankers>> | undefined;
  try {
    const imported = await importKb(db, path.join(root, 'kb'));
    console.log(`imported ${imported.total} articles into ${db.kind}`);
    const memory = new MemoryRanker(db);
    // [llm] embeddings-only and hybrid (BM25 + embeddings, RRF) with the test fake's deterministic embeddings.
    embeddings = args.includes('--no-embeddings') ? undefined : await embeddingRankers(db, memory);
    const rankers: KbRanker[] = [
      new PgRanker(db),
      memory,
      ...(args.includes('--variants') ? variants(db) : []),
      ...(embeddings?.rankers ?? []),
    ];
    const results: Record<string, Record<string, Record<string, Metrics>>> = {};
    const misses: Record<string, string[]> = {};
    for (const ranker of rankers) {
      results[ranker.name] = { filtered: {}, unfiltered: {} };
      for (const lang of KB_LANGUAGES) {
        const queries = await loadQueries(lang);
        for (const mode of ['filtered', 'unfiltered'] as const) {
          const { metrics, missed } = await evaluate(ranker, queries, mode === 'filtered' ? lang : undefined);
          results[ranker.name]![mode]![lang] = metrics;
          if (mode === 'filtered') misses[`${ranker.name}/${lang}`] = missed;
        }
      }
    }
    printTable(results);
    if (embeddings) printSideBySide(results, [memory.name, ...embeddings.rankers.map((r) => r.name)]); // [llm]
    if (args.includes('--misses')) console.log(JSON.stringify(misses, null, 2));
    const out = path.join(root, 'bench/results/kb.json');
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(
      out,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          database: db.kind,
          articles: imported.total,
          definitions: {
            mrr10: 'mean reciprocal rank of the first expected article within the top 10',
            recall3: 'share of queries with an expected article in the top 3',
            filtered: 'language option set to the query set language; unfiltered: all languages searched',
          },
          results,
          misses,
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    await embeddings?.close();
    await db.close();
    await scratch?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function variants(db: Awaited<ReturnType<typeof openDatabase>>): KbRanker[] {
  const named = (name: string, ranker: KbRanker): KbRanker => ({ name, search: (q, o) => ranker.search(q, o) });
  return [
    named('memory-fuzzy', new MemoryRanker(db, { fuzzy: 0.2 })),
    named('memory-prefix', new MemoryRanker(db, { prefix: true })),
  ];
}

async function loadQueries(lang: string): Promise<BenchQuery[]> {
  const text = await readFile(path.join(root, `bench/kb/queries.${lang}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => querySchema.parse(JSON.parse(l)));
}

async function evaluate(
  ranker: KbRanker,
  queries: BenchQuery[],
  language: string | undefined,
): Promise<{ metrics: Metrics; missed: string[] }> {
  let rr = 0;
  let hit3 = 0;
  let hit1 = 0;
  const missed: string[] = [];
  await ranker.search('warm up', { top: 1, ...(language ? { language } : {}) });
  const started = performance.now();
  for (const q of queries) {
    const hits = await ranker.search(q.query, { top: 10, ...(language ? { language } : {}) });
    const rank = hits.findIndex((h) => q.expected.includes(h.id)) + 1;
    if (rank > 0) rr += 1 / rank;
    if (rank > 0 && rank <= 3) hit3++;
    if (rank === 1) hit1++;
    else missed.push(`${q.query} → ${hits[0]?.id ?? '(none)'} (expected ${q.expected.join('|')} at ${rank || '>10'})`);
  }
  const n = queries.length;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    metrics: {
      queries: n,
      mrr10: round(rr / n),
      recall3: round(hit3 / n),
      recall1: round(hit1 / n),
      msPerQuery: round((performance.now() - started) / n),
    },
    missed,
  };
}

function printTable(results: Record<string, Record<string, Record<string, Metrics>>>): void {
  const rows: string[][] = [['ranker', 'mode', 'lang', 'n', 'MRR@10', 'recall@3', 'recall@1', 'ms/query']];
  for (const [ranker, modes] of Object.entries(results)) {
    for (const [mode, langs] of Object.entries(modes)) {
      for (const [lang, m] of Object.entries(langs)) {
        rows.push([ranker, mode, lang, String(m.queries), m.mrr10.toFixed(3), m.recall3.toFixed(3), m.recall1.toFixed(3), m.msPerQuery.toFixed(1)]);
      }
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

/** [llm] MRR@10 per language (language filter on), one column per ranker. */
function printSideBySide(results: Record<string, Record<string, Record<string, Metrics>>>, names: string[]): void {
  console.log(`\nMRR@10 per language (filtered): ${names.join(' | ')}`);
  for (const lang of KB_LANGUAGES) console.log(`${lang}  ${names.map((n) => results[n]?.filtered?.[lang]?.mrr10.toFixed(3) ?? '—').join('  ')}`);
}
