import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCues } from '../../src/dialog/cues.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { importKb } from '../../src/kb/import.js';
import { MemoryRanker } from '../../src/kb/rankers/memory.js';
import { featuresOf, relevanceOf, relevantHits } from '../../src/kb/relevance.js';
import { KB_LANGUAGES } from '../../src/kb/text.js';
import { loadTaxonomy } from '../../src/triage/taxonomy.js';
import { createTriage } from '../../src/triage/triage.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';

/** The KB relevance gate over the real starter KB and ranker: none is better than a wrong suggestion. */
const repoRoot = path.resolve(import.meta.dirname, '../..');
const triage = createTriage({ taxonomy: loadTaxonomy() });
const jsonl = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('relevance model', () => {
  const hit = (score: number, category: string, matchedIdf: number, queryIdf = 10) => ({ id: `a${score}`, title: 't', score, category, evidence: { matchedIdf, queryIdf, rarestIdf: 2.5, matched: [] } });
  it('a clear, well-covered winner in the triaged category passes; the same hit from another category needs more', () => {
    const hits = [hit(500, 'network', 9), hit(100, 'network', 3)];
    expect(relevanceOf(featuresOf(hits, 0, 'network'))).toBeGreaterThan(0.9);
    expect(relevanceOf(featuresOf(hits, 0, 'hardware'))).toBeLessThan(relevanceOf(featuresOf(hits, 0, 'network')));
  });
  it('near-equal weak hits are not shown; runners-up only under a convincing first answer', () => {
    expect(relevantHits([hit(120, 'network', 3), hit(118, 'hardware', 3), hit(110, 'software', 3)], { category: 'network' })).toEqual([]);
  });
  it('an outage or a hardware order gets no self-help article, however good the match', () => {
    const hits = [hit(900, 'network', 10), hit(50, 'network', 1)];
    expect(relevantHits(hits, { category: 'network' })).toHaveLength(1);
    expect(relevantHits(hits, { category: 'network', wideImpact: true })).toEqual([]);
    expect(relevantHits(hits, { category: 'hardware', requestTopic: 'hardware' })).toEqual([]);
  });
});

describe.each(DB_KINDS)('relevance gate on the starter KB ($kind)', ({ kind, skip }) => {
  let testDb: TestDatabase;
  let db: Database;
  let ranker: MemoryRanker;
  beforeAll(async () => {
    if (skip) return;
    testDb = await createTestDatabase(kind);
    db = await openDatabase({ DATABASE_URL: testDb.env.DATABASE_URL, DATABASE_POOL_SIZE: 4, FRONTLINE_DATA_DIR: testDb.env.FRONTLINE_DATA_DIR, FRONTLINE_AUTO_MIGRATE: true });
    await importKb(db, path.join(repoRoot, 'kb'));
    ranker = new MemoryRanker(db);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const shown = async (text: string, language: string) => {
    const t = triage(text);
    return relevantHits(await ranker.search(text, { language, top: 4 }), { category: t.category, wideImpact: readCues(text).impact === 1, requestTopic: t.requestTopic ?? null });
  };

  it.skipIf(skip)('the issue’s examples: no keyboard article for an Outlook sign-in, nothing for an SAP outage or "it doesn’t work"', async () => {
    expect((await shown('kan inte logga in i Outlook', 'sv')).map((h) => h.id)).not.toContain('keyboard-mouse-sv');
    expect(await shown('SAP is down for the whole finance department, we cannot close the month', 'en')).toEqual([]);
    expect(await shown("it doesn't work", 'en')).toEqual([]);
  });

  it.skipIf(skip)('per language: most right first answers kept, most negative queries get nothing', async () => {
    for (const lang of KB_LANGUAGES) {
      const positives = jsonl(`bench/kb/queries.${lang}.jsonl`);
      let kept = 0;
      for (const q of positives) if ((await shown(String(q.query), lang))[0]?.id === (q.expected as string[])[0]) kept++;
      const negatives = jsonl(`test/fixtures/kb-negatives/negatives.${lang}.jsonl`);
      expect(negatives.length).toBeGreaterThanOrEqual(20);
      let silent = 0;
      for (const q of negatives) if ((await shown(String(q.query), lang)).length === 0) silent++;
      // Measured by `npm run bench -- kb-relevance`: ~0.9 of right first answers kept, ~0.8 of negatives silent.
      expect(kept / positives.length, `${lang} kept`).toBeGreaterThanOrEqual(0.8);
      expect(silent / negatives.length, `${lang} silent`).toBeGreaterThanOrEqual(0.65);
    }
  }, 60_000);
});
