// The benchmark's server process: the real Frontline server plus one extra route, /bench/bare, that does a
// single INSERT — the bare limit of "this HTTP server + this database" measured in the same run.
import pg from 'pg';
import type { ChannelAdapter } from '../../channels/types.js';
import { createFrontline, type Frontline } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';

// BENCH_COUNT_SQL=1: count statements by their first words and print the busiest on exit (what to optimise).
const statements = new Map<string, { n: number; ms: number }>();
if (process.env.BENCH_COUNT_SQL) {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : first?.text ?? '?';
    const key = text.replace(/\s+/g, ' ').slice(0, 90);
    const t0 = performance.now();
    const count = () => {
      const s = statements.get(key) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += performance.now() - t0;
      statements.set(key, s);
    };
    // pg.Pool#query passes a callback; everything else awaits the promise.
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (...r: unknown[]) => {
        count();
        return (callback as (...a: unknown[]) => unknown)(...r);
      };
    }
    const out = query.apply(this, args);
    if (out instanceof Promise) void out.then(count, count);
    return out;
  } as typeof pg.Client.prototype.query;
}

// The route needs the database, which exists only once createFrontline has returned.
const ref: { frontline?: Frontline } = {};
const bare: ChannelAdapter = {
  name: 'bench',
  capabilities: { buttons: false, threads: false, edit: false, attachments: false, maxTextLength: 1000, markup: 'plain' },
  async start(host) {
    // CPU time of this process so far: the bench reports server CPU per message (steadier than msgs/s on a busy machine).
    host.mount('/bench/cpu', (_req, res) => {
      const { user, system } = process.cpuUsage();
      res.json({ ms: (user + system) / 1000 });
    });
    host.mount('/bench/bare', async (_req, res, next) => {
      try {
        await ref.frontline!.db.pool.query('INSERT INTO bench_bare (body) VALUES ($1)', ['x']);
        res.status(202).json({ ok: true });
      } catch (err) {
        next(err);
      }
    });
  },
  async stop() {},
  encodeThreadKey: () => 'bench:x',
  decodeThreadKey: () => ({}),
  send: async () => ({}),
  health: async () => ({ ok: true }),
};

const frontline = await createFrontline(loadConfig({ ...process.env, LOG_LEVEL: 'warn' }), { channels: [bare] });
ref.frontline = frontline;
await frontline.db.pool.query('CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, body text, at timestamptz DEFAULT now())');
const port = await frontline.listen();
// Idle memory after start-up, before any load (target: <= 250 MB embedded).
await new Promise((r) => setTimeout(r, 1500));
process.stdout.write(`READY ${port} RSS ${process.memoryUsage().rss}\n`);
process.on('SIGTERM', () => {
  const top = [...statements].sort((a, b) => b[1].n - a[1].n).slice(0, 25);
  for (const [sql, s] of top) process.stderr.write(`${String(s.n).padStart(8)} ${s.ms.toFixed(0).padStart(8)} ms  ${sql}\n`);
  void frontline.close().then(() => process.exit(0));
});
