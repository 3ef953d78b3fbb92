import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArticle, parseJsonlArticle } from '../../src/kb/article.js';
import { readKbSource } from '../../src/kb/import.js';
import { KB_LANGUAGES } from '../../src/kb/text.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(repoRoot, 'test/fixtures/kb');

const valid = `---
id: vpn-test-sv
title: VPN fungerar inte
language: sv
category: network
tags: [vpn]
symptoms:
  - Klienten snurrar
steps:
  - Starta om klienten
  - Kontakta IT
---
Inledning.
`;

describe('parseArticle', () => {
  it('validates the front matter and folds symptoms and steps into the Markdown body', () => {
    const a = parseArticle('kb/sv/vpn-test-sv.md', valid);
    expect(a).toMatchObject({ id: 'vpn-test-sv', title: 'VPN fungerar inte', language: 'sv', category: 'network', tags: ['vpn'] });
    expect(a.body).toBe('Inledning.\n\n## Symptom\n\n- Klienten snurrar\n\n## Gör så här\n\n1. Starta om klienten\n2. Kontakta IT\n');
  });

  it.each([
    ['no front matter', 'just text'],
    ['broken YAML', '---\nid: [unclosed\n---\nbody'],
    ['unknown category', valid.replace('category: network', 'category: plumbing')],
    ['unknown language', valid.replace('language: sv', 'language: de')],
    ['missing title', valid.replace('title: VPN fungerar inte\n', '')],
    ['unknown field', valid.replace('tags: [vpn]', 'tags: [vpn]\nauthor: someone')],
  ])('names the file on %s', (_case, text) => {
    expect(() => parseArticle('kb/sv/broken-article.md', text)).toThrow(/^kb\/sv\/broken-article\.md: /);
  });

  it('says which field is wrong', () => {
    expect(() => parseArticle('x.md', valid.replace('category: network', 'category: plumbing'))).toThrow(/category/);
  });
});

describe('parseJsonlArticle', () => {
  it('defaults language to English and category to none', () => {
    expect(parseJsonlArticle('f.jsonl:1', '{"id":"a-1","title":"T","body":"B"}')).toEqual({
      id: 'a-1', title: 'T', body: 'B', language: 'en', category: null, tags: [],
    });
  });

  it('names file and line on invalid JSON and on invalid fields', () => {
    expect(() => parseJsonlArticle('f.jsonl:3', '{nope')).toThrow(/^f\.jsonl:3: not valid JSON/);
    expect(() => parseJsonlArticle('f.jsonl:4', '{"id":"a","title":"T","body":"B","language":"xx"}')).toThrow(/^f\.jsonl:4: .*language/);
  });
});

describe('readKbSource', () => {
  it('names the offending file of a directory and reads nothing else', async () => {
    await expect(readKbSource(path.join(fixtures, 'broken-dir'))).rejects.toThrow(/b-bad-category-en\.md: invalid front matter: category/);
  });

  it('names file and line of a bad JSONL line', async () => {
    await expect(readKbSource(path.join(fixtures, 'bad.jsonl'))).rejects.toThrow(/bad\.jsonl:2: invalid article/);
  });

  it('reads a JSONL file, skipping blank lines', async () => {
    const articles = await readKbSource(path.join(fixtures, 'articles.jsonl'));
    expect(articles.map((a) => a.id)).toEqual(['fx-coffee-machine-en', 'fx-badge-reader-sv', 'fx-parking-es', 'fx-cantina-pt']);
    expect(articles[2]).toMatchObject({ language: 'en', category: null });
  });
});

describe('starter knowledge base (kb/)', () => {
  it.each(KB_LANGUAGES)('has at least 30 valid %s articles named after their id, one per topic', async (lang) => {
    const articles = await readKbSource(path.join(repoRoot, 'kb', lang));
    expect(articles.length).toBeGreaterThanOrEqual(30);
    const files = (await readdir(path.join(repoRoot, 'kb', lang))).filter((f) => f.endsWith('.md')).sort();
    expect(articles.map((a) => `${a.id}.md`).sort()).toEqual(files);
    for (const a of articles) {
      expect(a.language).toBe(lang);
      expect(a.id.endsWith(`-${lang}`)).toBe(true);
    }
  });

  it('covers the same topics in every language', async () => {
    const topics = await Promise.all(
      KB_LANGUAGES.map(async (lang) =>
        (await readKbSource(path.join(repoRoot, 'kb', lang))).map((a) => a.id.replace(/-[a-z]{2}$/, '')).sort(),
      ),
    );
    for (const t of topics) expect(t).toEqual(topics[0]);
  });

  it.each(KB_LANGUAGES)('has a %s benchmark query set of 40+ queries whose expected ids exist', async (lang) => {
    const ids = new Set((await readKbSource(path.join(repoRoot, 'kb'))).map((a) => a.id));
    const lines = (await readFile(path.join(repoRoot, `bench/kb/queries.${lang}.jsonl`), 'utf8')).split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(40);
    for (const line of lines) {
      const q = JSON.parse(line) as { expected: string[] };
      for (const id of q.expected) expect(ids.has(id), `${id} in ${lang} queries`).toBe(true);
    }
  });
});
