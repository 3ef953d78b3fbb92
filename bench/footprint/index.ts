// npm run bench -- footprint [--db pglite|postgres] [--conversations 1000] [--postgres postgres://…/db]
// Memory and start-up of the real server (`node bin/frontline.js start`, the compiled runtime) next to a bare
// Node + Express + database-client process, in the same run: RSS after start, RSS after N conversations, start
// to /readyz on an existing data directory (wall time and the process's own CPU time, steadier on a busy
// machine), and the heap and RSS each module group adds. Web chat + Slack (against a local fake Web API) are on.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createScratchDatabase } from '../lib/scratch-db.js';
import { printTable, round } from '../lib/stats.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN_URL = process.env.FRONTLINE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TICKS_PER_S = 100; // USER_HZ on Linux
const run = promisify(execFile);

interface Row {
  db: 'pglite' | 'postgres';
  process: string;
  ready_ms: number;
  ready_cpu_ms: number;
  rss_start_mb: number;
  rss_after_mb: number | null;
  heap_start_mb: number | null;
  heap_after_mb: number | null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function procStats(pid: number): Promise<{ rssMb: number; cpuMs: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const cpuMs = ((Number(stat[11]) + Number(stat[12])) * 1000) / TICKS_PER_S;
  return { rssMb: round(rssKb / 1024, 0), cpuMs };
}

/** Starts a process and polls `/readyz` until it answers 200; start time is spawn → first ready answer. */
async function startUntilReady(cmd: string[], env: Record<string, string>, port: number): Promise<{ child: ChildProcess; readyMs: number; readyCpuMs: number }> {
  const t0 = performance.now();
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd.join(' ')} exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (performance.now() - t0 > 300_000) throw new Error(`${cmd.join(' ')} not ready after 300 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - t0;
  return { child, readyMs, readyCpuMs: (await procStats(child.pid!)).cpuMs };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** A Slack Web API that answers what the adapter asks at start (auth.test) and accepts everything else. */
async function fakeSlack(): Promise<{ url: string; server: Server }> {
  const server = createHttpServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.includes('auth.test')) res.end(JSON.stringify({ ok: true, user_id: 'UBOT', team_id: 'T1', bot_id: 'B1', user: 'frontline', team: 'bench' }));
    else res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/api/`, server };
}

/** N reporters, 16 at a time: open a conversation and write a first message (resent after a 503, as the page does). */
async function conversations(base: string, n: number): Promise<void> {
  let next = 0;
  const post = async (url: string, body: unknown, token?: string): Promise<Response> => {
    for (;;) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      if (res.status !== 503 && res.status !== 429) return res;
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
    }
  };
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < n) {
      next++;
      const opened = await post(`${base}/webchat/v1/conversations`, {});
      if (opened.status !== 201) throw new Error(`open: ${opened.status} ${await opened.text()}`);
      const { conversationId, token } = (await opened.json()) as { conversationId: string; token: string };
      const sent = await post(`${base}/webchat/v1/conversations/${conversationId}/messages`, { text: 'Outlook does not open since the update' }, token);
      if (sent.status !== 202) throw new Error(`send: ${sent.status} ${await sent.text()}`);
    }
  }));
}

export default async function footprint(args: string[]): Promise<void> {
  const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
  const only = opt('db');
  const n = Number(opt('conversations') ?? 1000);
  const kinds = (['pglite', 'postgres'] as const).filter((k) => !only || k === only);
  // The compiled runtime must be current: bin/frontline.js would otherwise spend the first start compiling.
  await run(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--if-stale'], { cwd: ROOT });
  const slack = await fakeSlack();
  const rows: Row[] = [];
  try {
    for (const kind of kinds) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fl-footprint-'));
      const scratch = kind === 'postgres' ? await createScratchDatabase(opt('postgres') ?? ADMIN_URL, 'fl_footprint').catch(() => undefined) : undefined;
      if (kind === 'postgres' && !scratch) {
        console.log(`(postgres: unreachable at ${ADMIN_URL}; skipped)`);
        continue;
      }
      try {
        const env: Record<string, string> = {
          NODE_ENV: 'production', HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'warn', FRONTLINE_DATA_DIR: dataDir,
          FRONTLINE_SECRET: randomBytes(32).toString('hex'), FRONTLINE_DIALOG: 'report-incident', WEBCHAT_RATE_LIMIT_PER_MINUTE: '0',
          SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: 'bench-signing-secret', SLACK_API_URL: slack.url,
          ...(scratch ? { DATABASE_URL: scratch.url } : {}),
        };
        // First start: initdb (embedded), migrations, KB import. Not measured: the target is a warm start.
        const first = await startUntilReady([process.execPath, 'bin/frontline.js', 'start'], env, await freePort());
        await stop(first.child);

        const measured: [string, string[]][] = [
          ['frontline (compiled)', [process.execPath, 'bin/frontline.js', 'start']],
          ['frontline (tsx, before)', [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'start']],
        ];
        for (const [name, cmd] of measured) {
          const port = await freePort();
          const started = await startUntilReady(cmd, env, port);
          try {
            await new Promise((r) => setTimeout(r, 2_000)); // let start-up garbage be collected
            const atStart = await procStats(started.child.pid!);
            const heapStart = await heapUsed(`http://127.0.0.1:${port}`);
            let after: { rssMb: number } | undefined;
            let heap: number | null = null;
            if (name.includes('compiled')) {
              await conversations(`http://127.0.0.1:${port}`, n);
              await new Promise((r) => setTimeout(r, 2_000));
              after = await procStats(started.child.pid!);
              heap = await heapUsed(`http://127.0.0.1:${port}`);
            }
            rows.push({ db: kind, process: name, ready_ms: round(started.readyMs, 0), ready_cpu_ms: round(started.readyCpuMs, 0), rss_start_mb: atStart.rssMb, rss_after_mb: after?.rssMb ?? null, heap_start_mb: heapStart, heap_after_mb: heap });
          } finally {
            await stop(started.child);
          }
        }
        const barePort = await freePort();
        const bareDir = await mkdtemp(path.join(os.tmpdir(), 'fl-footprint-bare-'));
        const bareTarget = kind === 'pglite' ? bareDir : scratch!.url;
        // Twice, like the server: the second start is on an existing data directory.
        await stop((await startUntilReady([process.execPath, 'bench/footprint/bare.mjs', kind === 'pglite' ? 'pglite' : 'pg', bareTarget], {}, barePort)).child);
        const bare = await startUntilReady([process.execPath, 'bench/footprint/bare.mjs', kind === 'pglite' ? 'pglite' : 'pg', bareTarget], {}, barePort);
        await new Promise((r) => setTimeout(r, 2_000));
        const bareStats = await procStats(bare.child.pid!);
        await stop(bare.child);
        await rm(bareDir, { recursive: true, force: true });
        rows.push({ db: kind, process: kind === 'pglite' ? 'bare node+express+pglite' : 'bare node+express+pg', ready_ms: round(bare.readyMs, 0), ready_cpu_ms: round(bare.readyCpuMs, 0), rss_start_mb: bareStats.rssMb, rss_after_mb: null, heap_start_mb: null, heap_after_mb: null });
      } finally {
        await scratch?.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    slack.server.close();
  }
  printTable(rows.map((r) => ({ db: r.db, process: r.process, 'ready ms': r.ready_ms, 'ready cpu ms': r.ready_cpu_ms, 'rss start MB': r.rss_start_mb, [`rss after ${n} conv MB`]: r.rss_after_mb ?? '-', 'heap start MB': r.heap_start_mb ?? '-', 'heap after MB': r.heap_after_mb ?? '-' })));

  const { stdout } = await run(process.execPath, ['--expose-gc', path.join(import.meta.dirname, 'groups.mjs'), ROOT], { cwd: ROOT });
  const groups = JSON.parse(stdout.trim().split('\n').at(-1)!) as { group: string; heap_mb: number; rss_mb: number }[];
  console.log('\nheap and RSS each module group adds when imported (fresh process, in this order):');
  printTable(groups.map((g) => ({ group: g.group, 'heap MB': g.heap_mb, 'rss MB': g.rss_mb })));

  const out = path.join(import.meta.dirname, '../results/footprint.json');
  await writeFile(out, `${JSON.stringify({ machine: `${os.cpus().length} cores, node ${process.version}`, load_average: os.loadavg().map((l) => round(l, 1)), conversations: n, rows, groups }, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

/** The server's V8 heap in use, from its Prometheus metrics (prom-client's default nodejs_heap_size_used_bytes). */
async function heapUsed(base: string): Promise<number | null> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^frontline_nodejs_heap_size_used_bytes (\S+)/m.exec(text);
  return m ? round(Number(m[1]) / 1024 / 1024, 0) : null;
}
