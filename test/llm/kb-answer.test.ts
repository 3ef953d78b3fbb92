import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { importKb } from '../../src/kb/import.js';
import { MemoryRanker } from '../../src/kb/rankers/memory.js';
import { LlmClient } from '../../src/llm/client.js';
import { KbAnswerer, type RetrievedArticle } from '../../src/llm/kb-answer.js';
import { EmbeddingRanker, HybridRanker } from '../../src/llm/kb-embeddings.js';
import { createLlmMetrics } from '../../src/llm/metrics.js';
import { llmSettings } from '../../src/llm/settings.js';
import { UsageLedger } from '../../src/llm/usage.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { type ChatRequest, FakeOpenAI } from '../support/fake-openai.js';

/** A grounded fake: answers from the first article whose title shares a word with the question, else "not supported"; may try to cite an outside article. */
function grounded(req: ChatRequest) {
  const question = /<data name="question">\n([\s\S]*?)\n<\/data>/.exec(req.user)?.[1]?.toLowerCase() ?? '';
  const articles = [...req.user.matchAll(/<data name="article_\d+">\nid: (\S+)\ntitle: (.*)\n/g)].map((m) => ({ id: m[1]!, title: m[2]! }));
  const match = articles.find((a) => a.title.toLowerCase().split(/\W+/).some((w) => w.length > 4 && question.includes(w)));
  if (!match) return { supported: false, answer: '', cited: [] };
  return { supported: true, answer: `According to "${match.title}", follow the steps in the article.`, cited: [match.id] };
}

describe('grounded KB answers (pglite)', () => {
  let tdb: TestDatabase;
  let db: Database;
  let llm: LlmClient;
  let hybrid: HybridRanker;
  const fake = new FakeOpenAI();
  beforeAll(async () => {
    tdb = await createTestDatabase('pglite');
    db = await openDatabase(loadConfig({ ...tdb.env, LOG_LEVEL: 'silent' }));
    await importKb(db, path.resolve(import.meta.dirname, '../../kb'));
    await fake.start();
    fake.responder = grounded;
    llm = new LlmClient(llmSettings(loadConfig({ LLM_BASE_URL: fake.url, LLM_MODEL: 'fake-kb', LLM_EMBEDDING_MODEL: 'hashed', LLM_MAX_RETRIES: '0' }))!, new UsageLedger(db.pool), createLlmMetrics(new Registry()), pino({ level: 'silent' }));
    hybrid = new HybridRanker(new MemoryRanker(db), new EmbeddingRanker(db, llm));
  }, 180_000);
  afterAll(async () => {
    await fake.stop();
    await db?.close();
    await tdb?.drop();
  });

  async function retrieve(query: string): Promise<RetrievedArticle[]> {
    const hits = await hybrid.search(query, { language: 'en', top: 3 });
    const rows = await db.prisma.kbArticle.findMany({ where: { id: { in: hits.map((h) => h.id) } } });
    return hits.map((h) => rows.find((r) => r.id === h.id)!).map((r) => ({ id: r.id, title: r.title, body: r.body, url: `https://help.example.com/kb/${r.id}` }));
  }

  it('answers only from the retrieved articles, with links to them', async () => {
    const articles = await retrieve('my printer is offline');
    const answer = await new KbAnswerer(llm).answer('my printer is offline', articles, 'en');
    expect(answer).toBeDefined();
    expect(answer!.cited.every((c) => articles.some((a) => a.id === c.id))).toBe(true);
    expect(answer!.text).toContain(`https://help.example.com/kb/${answer!.cited[0]!.id}`);
    const format = fake.requests.at(-1)!.body.response_format as { json_schema: { schema: { properties: { cited: { items: { enum: string[] } } } } } };
    expect(format.json_schema.schema.properties.cited.items.enum).toEqual(articles.map((a) => a.id)); // a closed list
  });

  it('a question no article covers falls back (undefined → the plain suggestions); citing an outside article is refused', async () => {
    const question = 'can you order me a birthday cake for Friday';
    expect(await new KbAnswerer(llm).answer(question, await retrieve(question), 'en')).toBeUndefined();
    fake.responder = () => ({ supported: true, answer: 'Use the secret admin page.', cited: ['not-a-retrieved-article'] });
    expect(await new KbAnswerer(llm).answer('printer offline', await retrieve('printer offline'), 'en')).toBeUndefined();
    fake.responder = grounded;
  });
});
