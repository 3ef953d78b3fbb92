import type pg from 'pg';
import type { Logger } from '../logger.js';

/** How often the embedded database's tables are checked for stale planner statistics. */
const CHECK_EVERY_MS = 60_000;

/**
 * Planner statistics for the embedded database. PostgreSQL keeps them fresh with autovacuum; PGlite runs no
 * autovacuum, so its tables were never analysed and the planner guessed — badly once a table grew (the outbox
 * claim sorted every pending row: 3 ms per claim with 2,000 pending instead of 0.4 ms). This applies
 * autovacuum's own analyze rule: a table changed by more than 50 rows + 10 % of its size since its last
 * analysis is analysed again.
 */
export class EmbeddedStatistics {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.refresh()
        .catch((err: unknown) => this.logger.warn({ err }, 'could not refresh planner statistics'))
        .finally(() => (this.running = undefined));
    }, CHECK_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Analyses the tables that changed enough; returns their names (`schema.table`). */
  async refresh(): Promise<string[]> {
    // The activity counters reach the shared statistics lazily; flush ours before reading them.
    await this.pool.query('SELECT pg_stat_force_next_flush()');
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS name
         FROM pg_stat_user_tables WHERE n_mod_since_analyze > 50 + 0.1 * n_live_tup ORDER BY 1`,
    );
    for (const { name } of rows) await this.pool.query(`ANALYZE ${name}`);
    if (rows.length) this.logger.debug({ tables: rows.map((r) => r.name) }, 'planner statistics refreshed');
    return rows.map((r) => r.name);
  }
}
