import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { importKb } from '../../src/kb/import.js';
import { createKbRanker, KB_RANKER_KINDS, type KbRanker } from '../../src/kb/ranker.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(repoRoot, 'test/fixtures/kb');

/** [query, language filter, expected article among the top 3]: stemming, folding, typos and synonyms. */
const CASES: [string, string | undefined, string][] = [
  ['forgot my pasword', 'en', 'password-reset-en'], // typo
  ['passcode', 'en', 'password-reset-en'], // synonym absent from the article (checked below)
  ['printers offline', 'en', 'printer-offline-en'], // plural stemming
  ['lösenordet fungerar inte', 'sv', 'password-reset-sv'], // definite form
  ['wireless strular', 'sv', 'wifi-drops-sv'], // English synonym in a Swedish query (checked below)
  ['skrivarna skriver inte ut', 'sv', 'printer-offline-sv'],
  ['olvidé mi contrasena', 'es', 'password-reset-es'], // no ñ
  ['no me llegan los mails', 'es', 'outlook-not-syncing-es'], // mail → correo
  ['impresoras sin conexión', 'es', 'printer-offline-es'],
  ['esqueci a senha', 'pt', 'password-reset-pt'],
  ['wlan caindo toda hora', 'pt', 'wifi-drops-pt'], // wlan → wifi
  ['impressora nao imprime', 'pt', 'printer-offline-pt'],
  ['lösenordet', undefined, 'password-reset-sv'], // all languages searched
];

describe.each(DB_KINDS)('knowledge base on $kind', ({ kind, skip }) => {
  let testDb: TestDatabase;
  let db: Database;
  let tmp: string;

  beforeAll(async () => {
    if (skip) return;
    testDb = await createTestDatabase(kind);
    db = await openDatabase({
      DATABASE_URL: testDb.env.DATABASE_URL,
      DATABASE_POOL_SIZE: 4,
      FRONTLINE_DATA_DIR: testDb.env.FRONTLINE_DATA_DIR,
      FRONTLINE_AUTO_MIGRATE: true,
    });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'fl-kb-'));
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it.skipIf(skip)('imports the starter KB and skips unchanged articles on re-import', async () => {
    const first = await importKb(db, path.join(repoRoot, 'kb'));
    expect(first.total).toBeGreaterThanOrEqual(120);
    expect(first).toMatchObject({ created: first.total, updated: 0, unchanged: 0 });
    const second = await importKb(db, path.join(repoRoot, 'kb'));
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: first.total });
    const stored = await db.prisma.kbArticle.findUniqueOrThrow({ where: { id: 'password-reset-sv' } });
    expect(stored).toMatchObject({ language: 'sv', category: 'account_access' });
    expect(stored.body).toContain('## Gör så här\n\n1. ');
  });

  describe.each(KB_RANKER_KINDS)('%s ranker', (rankerKind) => {
    let ranker: KbRanker;
    beforeAll(async () => {
      if (!skip) ranker = await createKbRanker(db, rankerKind);
    });

    it.skipIf(skip).each(CASES)('"%s" (%s) finds %s', async (query, language, expected) => {
      const hits = await ranker.search(query, { top: 3, ...(language ? { language } : {}) });
      expect(hits.map((h) => h.id)).toContain(expected);
      expect(hits.length).toBeLessThanOrEqual(3);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    });

    it.skipIf(skip)('finds articles through synonyms only', async () => {
      // Guard: the words must really be absent, or the cases above would not exercise the synonym table.
      for (const [id, word] of [['password-reset-en', 'passcode'], ['wifi-drops-sv', 'wireless']] as const) {
        const a = await db.prisma.kbArticle.findUniqueOrThrow({ where: { id } });
        expect(`${a.title} ${a.tags.join(' ')} ${a.body}`.toLowerCase()).not.toContain(word);
      }
      expect((await ranker.search('passcode', { top: 1, language: 'en' }))[0]?.id).toBe('password-reset-en');
    });

    it.skipIf(skip)('honours the language and category filters', async () => {
      const sv = await ranker.search('vpn', { top: 10, language: 'sv' });
      expect(sv.length).toBeGreaterThan(0);
      expect(sv.every((h) => h.id.endsWith('-sv'))).toBe(true);
      const security = await ranker.search('password', { top: 10, language: 'en', category: 'security' });
      expect(security.map((h) => h.id)).not.toContain('password-reset-en');
      expect(security.length).toBeGreaterThan(0);
      expect(await ranker.search('   ', { top: 5 })).toEqual([]);
      expect(await ranker.search('vpn', { top: 5, language: 'de' })).toEqual([]);
    });
  });

  it.skipIf(skip)('imports JSONL, upserts by id, and rankers created earlier see the new articles', async () => {
    const rankers = await Promise.all(KB_RANKER_KINDS.map((k) => createKbRanker(db, k)));
    for (const r of rankers) expect((await r.search('coffee machine E42', { top: 1, language: 'en' }))[0]?.id).not.toBe('fx-coffee-machine-en');

    const source = path.join(tmp, 'articles.jsonl');
    await copyFile(path.join(fixtures, 'articles.jsonl'), source);
    expect(await importKb(db, source)).toEqual({ total: 4, created: 4, updated: 0, unchanged: 0 });
    for (const r of rankers) {
      expect((await r.search('coffee machine E42', { top: 1, language: 'en' }))[0]?.id, r.name).toBe('fx-coffee-machine-en');
    }

    const text = await readFile(source, 'utf8');
    await writeFile(source, text.replace('error E42', 'error E43').replace('E42,', 'E43,'));
    expect(await importKb(db, source)).toEqual({ total: 4, created: 0, updated: 1, unchanged: 3 });
    for (const r of rankers) {
      expect((await r.search('coffee E43', { top: 1, language: 'en' }))[0]?.id, r.name).toBe('fx-coffee-machine-en');
    }
  });

  it.skipIf(skip)('writes nothing when one line of a JSONL file is invalid', async () => {
    await expect(importKb(db, path.join(fixtures, 'bad.jsonl'))).rejects.toThrow(/bad\.jsonl:2/);
    expect(await db.prisma.kbArticle.findUnique({ where: { id: 'fx-ok-en' } })).toBeNull();
  });
});
