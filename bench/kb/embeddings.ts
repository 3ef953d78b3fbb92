// [llm] The embedding rankers for `npm run bench -- kb`: the LLM layer's client against the local fake
// OpenAI server of the tests (hashed bag-of-words vectors, no network), so the numbers are reproducible.
import pino from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/load.js';
import type { Database } from '../../src/db/database.js';
import type { KbRanker } from '../../src/kb/ranker.js';
import { LlmClient } from '../../src/llm/client.js';
import { EmbeddingRanker, HybridRanker } from '../../src/llm/kb-embeddings.js';
import { createLlmMetrics } from '../../src/llm/metrics.js';
import { llmSettings } from '../../src/llm/settings.js';
import { UsageLedger } from '../../src/llm/usage.js';
import { FakeOpenAI } from '../../test/support/fake-openai.js';

export async function embeddingRankers(db: Database, lexical: KbRanker): Promise<{ rankers: KbRanker[]; close: () => Promise<void> }> {
  const fake = await new FakeOpenAI().start();
  const settings = llmSettings(loadConfig({ LLM_BASE_URL: fake.url, LLM_MODEL: 'unused', LLM_EMBEDDING_MODEL: 'hashed-bag-of-words', LLM_MAX_RETRIES: '0' }))!;
  const llm = new LlmClient(settings, new UsageLedger(db.pool), createLlmMetrics(new Registry()), pino({ level: 'warn' }));
  const vectors = new EmbeddingRanker(db, llm);
  const embedded = await vectors.sync();
  console.log(`embedded ${embedded} articles (${fake.requests.length} embedding requests to the local fake)`);
  return { rankers: [vectors, new HybridRanker(lexical, vectors)], close: () => fake.stop() };
}
