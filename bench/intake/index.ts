// npm run bench -- intake [--seconds 5] [--db pglite|postgres] [--postgres postgres://…/db] [--modes closed,open]
// N simulated web chat reporters against a real server process; throughput and latency from POST to reply
// available, next to the bare limit (one INSERT per request) of the same server and database in the same run.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { printTable, round } from '../lib/stats.js';
import { type LoadResult, runBare, runClosedLoop, runOpenLoop, takeRefused } from './load.js';

const ADMIN_URL = process.env.FRONTLINE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SERVER = path.join(import.meta.dirname, 'server.ts');

interface Run {
  db: 'pglite' | 'postgres';
  mode: 'closed' | 'open';
  concurrency: number;
  offered_per_s: number | null;
  msgs_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  bare_msgs_per_s: number;
  server_cpu_ms_per_msg?: number;
  missed?: number;
  /** POSTs refused by admission control (503 + Retry-After) and sent again later. */
  refused?: number;
}

export default async function run(args: string[]): Promise<void> {
  const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
  const seconds = Number(opt('seconds') ?? 5);
  const only = opt('db');
  const kinds = (['pglite', 'postgres'] as const).filter((k) => !only || k === only);
  const modes = (opt('modes') ?? 'closed,open').split(',');
  const runs: Run[] = [];
  const idleRss: Record<string, number> = {};
  for (const kind of kinds) {
    const target = await prepare(kind, opt('postgres'));
    if (!target) {
      console.log(`(${kind}: PostgreSQL unreachable at ${ADMIN_URL}; skipped)`);
      continue;
    }
    const server = await startServer(target.env);
    try {
      const base = `http://127.0.0.1:${server.port}`;
      await runBare(base, 8, 1); // warm up
      const bare = await runBare(base, 32, seconds);
      console.log(`${kind}: idle RSS ${server.rssMb} MB; bare limit ${round(bare.msgsPerS, 0)} req/s (p99 ${bare.p99} ms)`);
      idleRss[kind] = server.rssMb;
      const cpu = async () => ((await (await fetch(`${base}/bench/cpu`)).json()) as { ms: number }).ms;
      for (const conversations of modes.includes('closed') ? [1, 16, 64] : []) {
        const before = await cpu();
        takeRefused();
        const r = await runClosedLoop(base, conversations, seconds);
        runs.push({ ...row(kind, 'closed', conversations, null, r, bare), ...cpuPerMessage(before, await cpu(), r), refused: takeRefused() });
      }
      // Offered load, as in the targets: 500 msg/s on PostgreSQL, 300 msg/s embedded.
      if (!modes.includes('open')) continue;
      const rate = kind === 'postgres' ? 500 : 300;
      const before = await cpu();
      takeRefused();
      const open = await runOpenLoop(base, 400, rate, seconds);
      runs.push({ ...row(kind, 'open', 400, rate, open, bare), ...cpuPerMessage(before, await cpu(), open), missed: open.missed, refused: takeRefused() });
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
      await target.cleanup();
    }
  }
  printTable(runs.map((r) => ({
    db: r.db, mode: r.mode, conversations: r.concurrency, offered: r.offered_per_s ?? '-', 'msgs/s': r.msgs_per_s,
    p50_ms: r.p50_ms, p95_ms: r.p95_ms, p99_ms: r.p99_ms, 'bare/s': r.bare_msgs_per_s, 'cpu ms/msg': r.server_cpu_ms_per_msg ?? '-', refused: r.refused ?? '-', '% of bare': round((100 * r.msgs_per_s) / r.bare_msgs_per_s, 0),
  })));
  const out = path.join(import.meta.dirname, '../results/intake.json');
  await writeFile(out, `${JSON.stringify({ machine: `${os.cpus().length} cores, node ${process.version}`, seconds, idle_rss_mb: idleRss, runs }, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

/**
 * Server CPU (user + system) per reporter message over a run, set-up included (opening the conversations and
 * their first message, which are counted as messages too).
 */
function cpuPerMessage(before: number, after: number, r: LoadResult): { server_cpu_ms_per_msg: number } {
  return { server_cpu_ms_per_msg: round((after - before) / (r.messages + r.conversations), 2) };
}

function row(db: Run['db'], mode: Run['mode'], concurrency: number, offered: number | null, r: LoadResult, bare: LoadResult): Run {
  return { db, mode, concurrency, offered_per_s: offered, msgs_per_s: round(r.msgsPerS, 0), p50_ms: r.p50, p95_ms: r.p95, p99_ms: r.p99, bare_msgs_per_s: round(bare.msgsPerS, 0) };
}

async function prepare(kind: 'pglite' | 'postgres', url?: string): Promise<{ env: Record<string, string>; cleanup(): Promise<void> } | undefined> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fl-bench-'));
  const secret = randomBytes(32).toString('hex');
  if (kind === 'pglite') return { env: { FRONTLINE_DATA_DIR: dataDir, FRONTLINE_SECRET: secret }, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
  const admin = new pg.Client({ connectionString: url ?? ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `fl_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const dbUrl = new URL(url ?? ADMIN_URL);
  dbUrl.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: dbUrl.toString(), DATABASE_POOL_SIZE: '16', FRONTLINE_DATA_DIR: dataDir, FRONTLINE_SECRET: secret },
    async cleanup() {
      const c = new pg.Client({ connectionString: url ?? ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number; rssMb: number }> {
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the server process.
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', SERVER], {
    // The short report flow: every message is one dialog step with replies, so runs are comparable.
    env: { ...process.env, ...env, PORT: '0', NODE_ENV: 'production', LOG_FORMAT: 'json', FRONTLINE_DIALOG: 'report-incident', WEBCHAT_RATE_LIMIT_PER_MINUTE: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [port, rss] = await new Promise<[number, number]>((resolve, reject) => {
    let out = '';
    let errors = 0;
    child.stdout!.on('data', (d: Buffer) => {
      // The server's own errors (JSON log lines at level ≥ 50): the first few are shown, so a failed run says why.
      for (const line of d.toString().split('\n')) if (/"level":(5|6)0/.test(line) && errors++ < 3) console.error(`server: ${line.slice(0, 2000)}`);
      out += d.toString();
      const m = /READY (\d+) RSS (\d+)/.exec(out);
      if (m) resolve([Number(m[1]), Number(m[2])]);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, port, rssMb: round(rss / 1024 / 1024, 0) };
}
