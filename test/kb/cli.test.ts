import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerKbCommands } from '../../src/cli/commands/kb.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/kb');

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return () => text;
}

describe.each(DB_KINDS)('frontline kb CLI on $kind', ({ kind, skip }) => {
  let testDb: TestDatabase;
  let tmp: string;

  /** Runs one CLI invocation the way bin/frontline does: each command opens and closes the database. */
  async function cli(...argv: string[]): Promise<{ stdout: string; stderr: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = collect(stdout);
    const err = collect(stderr);
    const program = new Command().exitOverride();
    const openDb = () =>
      openDatabase({
        DATABASE_URL: testDb.env.DATABASE_URL,
        DATABASE_POOL_SIZE: 4,
        FRONTLINE_DATA_DIR: testDb.env.FRONTLINE_DATA_DIR,
        FRONTLINE_AUTO_MIGRATE: true,
      });
    registerKbCommands(program, openDb, { stdout, stderr });
    await program.parseAsync(argv, { from: 'user' });
    return { stdout: out(), stderr: err() };
  }

  beforeAll(async () => {
    if (skip) return;
    testDb = await createTestDatabase(kind);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'fl-kb-cli-'));
  });

  afterAll(async () => {
    await testDb?.drop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it.skipIf(skip)('imports a directory and a JSONL file and reports counts', async () => {
    const md = await cli('kb', 'import', path.join(fixtures, 'small-dir'));
    expect(JSON.parse(md.stdout)).toEqual({ total: 1, created: 1, updated: 0, unchanged: 0 });
    const jsonl = await cli('kb', 'import', path.join(fixtures, 'articles.jsonl'));
    expect(JSON.parse(jsonl.stdout)).toEqual({ total: 4, created: 4, updated: 0, unchanged: 0 });
  });

  it.skipIf(skip)('prints JSON results for one query', async () => {
    const { stdout } = await cli('kb', 'search', 'kettle breaker', '--top', '2', '--json');
    const hits = JSON.parse(stdout) as { id: string; title: string; score: number }[];
    expect(hits[0]).toMatchObject({ id: 'fx-kettle-en', title: 'Kettle trips the breaker' });
    expect(Object.keys(hits[0]!).sort()).toEqual(['id', 'score', 'title']);
    expect(hits.length).toBeLessThanOrEqual(2);
  });

  it.skipIf(skip).each(['memory', 'pg'])('answers a batch file in input order with the %s ranker', async (ranker) => {
    const { stdout } = await cli('kb', 'search', '--input', path.join(fixtures, 'queries.jsonl'), '--top', '3', '--ranker', ranker);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string | number; results: { id: string; score: number }[] });
    expect(lines.map((l) => l.id)).toEqual(['q3', 'q1', 7, 'q2']);
    expect(lines.map((l) => l.results[0]?.id)).toEqual(['fx-badge-reader-sv', 'fx-coffee-machine-en', 'fx-cantina-pt', 'fx-parking-es']);
    for (const l of lines) expect(Object.keys(l.results[0]!).sort()).toEqual(['id', 'score']);
  });

  it.skipIf(skip)('limits a batch to one language', async () => {
    const { stdout } = await cli('kb', 'search', '--input', path.join(fixtures, 'queries.jsonl'), '--language', 'sv');
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { results: { id: string }[] });
    expect(lines[0]!.results.map((r) => r.id)).toEqual(['fx-badge-reader-sv']);
    expect(lines.slice(1).every((l) => l.results.every((r) => r.id.endsWith('-sv')))).toBe(true);
  });

  it.skipIf(skip)('rejects a bad batch line naming file and line', async () => {
    const bad = path.join(fixtures, 'bad.jsonl');
    await expect(cli('kb', 'search', '--input', bad)).rejects.toThrow(/bad\.jsonl:1: expected \{"id","query"\}/);
  });

  it.skipIf(skip)('reports article counts and the self-service funnel from stored feedback', async () => {
    const db = await openDatabase({ DATABASE_URL: testDb.env.DATABASE_URL, DATABASE_POOL_SIZE: 2, FRONTLINE_DATA_DIR: testDb.env.FRONTLINE_DATA_DIR, FRONTLINE_AUTO_MIGRATE: true });
    try {
      const old = new Date('2020-01-01T00:00:00Z');
      await db.prisma.kbFeedback.createMany({
        data: [
          { kind: 'suggested', articleId: 'fx-kettle-en', conversationId: '00000000-0000-4000-8000-000000000001', language: 'en' },
          { kind: 'suggested', articleId: 'fx-kettle-en', conversationId: '00000000-0000-4000-8000-000000000002', language: 'en' },
          { kind: 'opened', articleId: 'fx-kettle-en', conversationId: '00000000-0000-4000-8000-000000000001', language: 'en' },
          { kind: 'feedback', articleId: 'fx-kettle-en', conversationId: '00000000-0000-4000-8000-000000000001', language: 'en', helped: true },
          { kind: 'feedback', articleId: 'fx-kettle-en', conversationId: '00000000-0000-4000-8000-000000000002', language: 'en', helped: false },
          { kind: 'feedback', articleId: 'fx-kettle-en', language: 'sv', helped: true, createdAt: old },
        ],
      });
    } finally {
      await db.close();
    }
    const all = JSON.parse((await cli('kb', 'stats', '--json')).stdout) as Record<string, unknown> & { articles: { language: string; n: number }[] };
    expect(all).toMatchObject({ conversationsWithSuggestions: 2, suggested: 2, opened: 1, answered: 3, helped: 2, deflections: 2, clickThroughRate: 0.5, deflectionRate: 1 });
    expect(all.articles.reduce((sum, a) => sum + a.n, 0)).toBe(5); // the five imported by the tests above
    const recent = JSON.parse((await cli('kb', 'stats', '--json', '--since', '2021-01-01')).stdout) as Record<string, unknown>;
    expect(recent).toMatchObject({ answered: 2, helped: 1, deflectionRate: 0.5 });
    const table = (await cli('kb', 'stats')).stdout;
    expect(table).toMatch(/click-through 50\.0 %/);
    expect(table).toMatch(/fx-kettle-en/);
    await expect(cli('kb', 'stats', '--since', 'yesterday')).rejects.toThrow(/ISO date/);
  });
});
