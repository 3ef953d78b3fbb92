import type pg from 'pg';
import type { LlmFeature } from './settings.js';

export interface CallRecord {
  feature: LlmFeature;
  model: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  ok: boolean;
  error?: string;
  incidentId?: string;
}

/**
 * Every model call as a row of `llm_call` (cost reports per feature and incident), and the day's token total
 * read from the same rows, so every instance enforces one shared budget.
 */
export class UsageLedger {
  constructor(private readonly pool: pg.Pool) {}

  async record(call: CallRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO llm_call (id, feature, model, prompt_tokens, completion_tokens, total_tokens, latency_ms, ok, error, incident_id)
       VALUES (gen_random_uuid(), $1, $2, $3::int, $4::int, $3::int + $4::int, $5::int, $6::boolean, $7, $8::uuid)`,
      [call.feature, call.model, call.promptTokens, call.completionTokens, Math.round(call.latencyMs), call.ok, call.error?.slice(0, 500) ?? null, call.incidentId ?? null],
    );
  }

  /** Tokens used since midnight (the database's clock and time zone; UTC on a default server). */
  async tokensToday(): Promise<number> {
    const { rows } = await this.pool.query<{ total: number }>(
      `SELECT COALESCE(sum(total_tokens), 0)::int AS total FROM llm_call WHERE created_at >= date_trunc('day', LOCALTIMESTAMP)`,
    );
    return rows[0]?.total ?? 0;
  }
}
