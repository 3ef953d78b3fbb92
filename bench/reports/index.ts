// `npm run bench -- reports [--postgres URL] [--count N] [--embedded]`: generates N incidents (default 100,000) over
// a year with their timeline (replies, reopenings, CSAT) in a fresh database on PostgreSQL (default server
// postgres://postgres@127.0.0.1:5432/test; --embedded for PGlite), then times each report query and the whole
// /api/v1/reports/summary computation (current + previous period) for a 30-day, 90-day and 365-day period,
// 5 runs each (the median counts). Writes bench/results/reports.json.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../src/db/database.js';
import { type Period, Reports } from '../../src/reports/queries.js';
import { printTable, round } from '../lib/stats.js';
import { createScratchDatabase } from '../lib/scratch-db.js';
import { seedReportHistory } from './seed.js';

const DAY = 86_400_000;
const arg = (args: string[], name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

export default async function run(args: string[]): Promise<void> {
  const count = Number(arg(args, '--count') ?? 100_000);
  const embedded = args.includes('--embedded');
  const serverUrl = arg(args, '--postgres') ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'frontline-reports-bench-'));
  const scratch = embedded ? undefined : await createScratchDatabase(serverUrl, 'frontline_reports_bench');
  const db = await openDatabase({ DATABASE_URL: scratch?.url, DATABASE_POOL_SIZE: 8, FRONTLINE_DATA_DIR: dataDir, FRONTLINE_AUTO_MIGRATE: true });
  try {
    const end = new Date();
    let t0 = performance.now();
    await seedReportHistory(db.pool, count, { end, days: 365 });
    const seedMs = performance.now() - t0;
    console.log(`reports bench: ${count} incidents on ${db.kind}, generated in ${round(seedMs / 1000)} s`);
    const reports = new Reports(db);
    const rows: Record<string, string | number>[] = [];
    for (const days of [30, 90, 365]) {
      const p: Period = { from: new Date(end.getTime() - days * DAY), to: end, timeZone: 'Europe/Stockholm' };
      const previous: Period = { ...p, from: new Date(p.from.getTime() - days * DAY), to: p.from };
      const timed = async (name: string, fn: () => Promise<unknown>) => {
        const samples: number[] = [];
        for (let i = 0; i < 5; i++) {
          t0 = performance.now();
          await fn();
          samples.push(performance.now() - t0);
        }
        samples.sort((a, b) => a - b);
        rows.push({ period: `${days} d`, query: name, 'median ms': round(samples[2]!), 'max ms': round(samples[4]!) });
      };
      await timed('volume', () => reports.volume(p));
      await timed('mtta', () => reports.mtta(p));
      await timed('mttr', () => reports.mttr(p));
      await timed('sla', () => reports.sla(p));
      await timed('fcr+reopen', () => reports.resolutionQuality(p));
      await timed('csat', () => reports.csat(p));
      await timed('backlog', () => reports.backlog(end));
      await timed('summary (page)', () => Promise.all([reports.summary(p), reports.summary(previous), reports.backlog(end)]));
    }
    printTable(rows);
    const file = path.resolve(import.meta.dirname, '../results/reports.json');
    await writeFile(file, `${JSON.stringify({ measuredAt: new Date().toISOString(), database: db.kind, incidents: count, seedSeconds: round(seedMs / 1000), rows }, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await db.close();
    await scratch?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
