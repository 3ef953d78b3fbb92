import express, { type Router } from 'express';
import type { ChannelAdapter } from '../../channels/types.js';
import type { Database } from '../db/database.js';
import { pendingMigrations } from '../db/migrations.js';
import type { Metrics } from '../metrics.js';

/** `/healthz` (process alive), `/readyz` (database, migrations, every channel), `/metrics` (Prometheus). */
export function healthRouter(
  db: Database,
  channels: () => readonly ChannelAdapter[],
  metrics: Metrics,
  isShuttingDown: () => boolean,
  /** [llm] Optional parts reporting their state without failing readiness (e.g. "llm degraded"). */
  extraChecks: () => Record<string, { ok: boolean; detail?: string }> = () => ({}),
): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      await db.pool.query('SELECT 1');
      checks.database = { ok: true, detail: db.kind };
      const pending = await pendingMigrations(db.pool);
      checks.migrations = pending.length ? { ok: false, detail: `pending: ${pending.join(', ')} (run: frontline db migrate)` } : { ok: true };
    } catch (err) {
      checks.database = { ok: false, detail: (err as Error).message };
    }
    for (const channel of channels()) {
      checks[`channel:${channel.name}`] = await channel.health().catch((err: Error) => ({ ok: false, detail: err.message }));
    }
    Object.assign(checks, extraChecks());
    if (isShuttingDown()) checks.shutdown = { ok: false, detail: 'shutting down' };
    const ready = Object.values(checks).every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });

  router.get('/metrics', async (_req, res) => {
    const { rows } = await db.pool
      .query<{ pending: number; oldest: number | null }>(
        `SELECT count(*)::int AS pending, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
           FROM outbox_message WHERE status = 'pending'`,
      )
      .catch(() => ({ rows: [{ pending: 0, oldest: null }] }));
    metrics.outboxPending.set(rows[0]?.pending ?? 0);
    metrics.outboxLag.set(rows[0]?.oldest ?? 0);
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
