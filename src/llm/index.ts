import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { OutboundMessage } from '../../channels/types.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { LlmClient } from './client.js';
import { createLlmMetrics } from './metrics.js';
import { llmSettings } from './settings.js';
import { Translator, translatingPrepare, untranslatedPrepare } from './translate.js';
import { UsageLedger } from './usage.js';

export type { LlmClient } from './client.js';
export type { LlmSettings } from './settings.js';

type Prepare = (row: { outboxId: string; messageId: string | null; message: OutboundMessage }) => Promise<OutboundMessage | null>;

export interface LlmLayer {
  /** Undefined while the layer is off (LLM_MODEL unset). */
  client: LlmClient | undefined;
  translator: Translator | undefined;
  /** The outbox dispatcher's send-time step: translation when on; strips the hints when off. */
  prepare: Prepare;
  /** `/readyz` entry: always ok (the rules carry on without a model), "llm degraded: …" while a feature fails. */
  checks(): Record<string, { ok: boolean; detail: string }>;
}

/** The optional LLM layer (off by default): one client every feature goes through. */
export function createLlmLayer(config: Config, pool: pg.Pool, registry: Registry, logger: Logger): LlmLayer {
  const settings = llmSettings(config);
  if (!settings) return { client: undefined, translator: undefined, prepare: untranslatedPrepare, checks: () => ({}) };
  const client = new LlmClient(settings, new UsageLedger(pool), createLlmMetrics(registry), logger);
  const translator = new Translator(client);
  return {
    client,
    translator,
    prepare: settings.features.has('translate') ? translatingPrepare(pool, translator, settings.agentLanguage) : untranslatedPrepare,
    checks: () => ({ llm: readiness(client) }),
  };
}

function readiness(client: LlmClient): { ok: boolean; detail: string } {
  const troubles = client.breaker.troubles().map((t) => {
    const why = (t.lastError ?? 'error').slice(0, 120);
    return t.open ? `${t.feature} skipped for ${Math.ceil(t.retryInMs / 1000)} s after ${t.failures} failures (${why})` : `${t.feature} failing (${t.failures} in a row: ${why})`;
  });
  if (client.overBudget) troubles.push('daily token budget spent');
  return { ok: true, detail: troubles.length ? `llm degraded: ${troubles.join('; ')}` : `llm ok (${client.settings.models.translate})` };
}
