import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { importKb } from '../../src/kb/import.js';
import { MemoryRanker } from '../../src/kb/rankers/memory.js';
import { LlmClient } from '../../src/llm/client.js';
import { chunkArticle, EmbeddingRanker, HybridRanker } from '../../src/llm/kb-embeddings.js';
import { createLlmMetrics } from '../../src/llm/metrics.js';
import { llmSettings } from '../../src/llm/settings.js';
import { UsageLedger } from '../../src/llm/usage.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';
import { FakeOpenAI } from '../support/fake-openai.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

describe.each(DB_KINDS)('KB embeddings and hybrid ranking ($kind)', ({ kind, skip }) => {
  let tdb: TestDatabase;
  let db: Database;
  const fake = new FakeOpenAI();
  const client = (url: string) =>
    new LlmClient(llmSettings(loadConfig({ LLM_BASE_URL: url, LLM_MODEL: 'm', LLM_EMBEDDING_MODEL: 'hashed', LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '2000' }))!, new UsageLedger(db.pool), createLlmMetrics(new Registry()), pino({ level: 'silent' }));
  beforeAll(async () => {
    if (skip) return;
    tdb = await createTestDatabase(kind);
    db = await openDatabase(loadConfig({ ...tdb.env, LOG_LEVEL: 'silent' }));
    await importKb(db, path.join(repoRoot, 'kb'));
    await fake.start();
  }, 180_000);
  afterAll(async () => {
    await fake.stop();
    await db?.close();
    await tdb?.drop();
  });

  it('chunks per section, title first', () => {
    const chunks = chunkArticle('VPN drops', 'Intro text.\n\n## Steps\n1. Restart\n\n## Still broken?\nCall us.');
    expect(chunks).toEqual(['VPN drops\nIntro text.', 'VPN drops\n## Steps\n1. Restart', 'VPN drops\n## Still broken?\nCall us.']);
  });

  it.skipIf(skip)('stores one embedding per chunk, re-embeds only changed articles, drops deleted ones', async () => {
    const ranker = new EmbeddingRanker(db, client(fake.url));
    const articles = await db.prisma.kbArticle.count();
    expect(await ranker.sync()).toBe(articles);
    const { rows } = await db.pool.query<{ n: number; a: number; dims: number }>('SELECT count(*)::int AS n, count(DISTINCT article_id)::int AS a, max(array_length(vector, 1))::int AS dims FROM kb_embedding');
    expect(rows[0]).toMatchObject({ a: articles, dims: 256 });
    expect(rows[0]!.n).toBeGreaterThan(articles); // several sections per article
    expect(await ranker.sync()).toBe(0);
    await db.prisma.kbArticle.update({ where: { id: 'password-reset-sv' }, data: { body: 'Helt ny text om lösenord.' } });
    const requests = fake.requests.length;
    expect(await ranker.sync()).toBe(1);
    expect(fake.requests.length).toBe(requests + 1);
    const { rows: sv } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM kb_embedding WHERE article_id = 'password-reset-sv'`);
    expect(sv[0]!.n).toBe(1);
    await db.prisma.kbArticle.delete({ where: { id: 'password-reset-sv' } });
    await ranker.sync();
    const { rows: gone } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM kb_embedding WHERE article_id = 'password-reset-sv'`);
    expect(gone[0]!.n).toBe(0);
  });

  it.skipIf(skip)('finds by meaning within a language; the hybrid keeps BM25’s answer when the model is down', async () => {
    const vectors = new EmbeddingRanker(db, client(fake.url));
    const hits = await vectors.search('the printer is jammed with paper', { language: 'en', top: 3 });
    expect(hits[0]?.id).toMatch(/printer/);
    const memory = new MemoryRanker(db);
    const down = new HybridRanker(memory, new EmbeddingRanker(db, client('http://127.0.0.1:9/v1')));
    const query = 'my vpn keeps disconnecting';
    expect((await down.search(query, { language: 'en', top: 5 })).map((h) => h.id)).toEqual((await memory.search(query, { language: 'en', top: 5 })).map((h) => h.id));
  });
});
