import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClassifier, trainClassifier, type TrainingExample } from '../../src/triage/classifier.js';
import { readDataset, rowText } from '../../src/triage/dataset.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/triage');
const work = mkdtempSync(path.join(tmpdir(), 'frontline-triage-model-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const examples: TrainingExample[] = readDataset(path.join(fixtures, 'multilingual-train.csv')).rows.map((row) => ({
  text: rowText(row, ['title', 'body']),
  labels: { category: row.category, group: row.group },
}));
const probes = ['VPN funkar inte', 'la impresora no funciona', 'minha senha expirou', 'outlook calendar broken', ''];

describe('LinearTextClassifier', () => {
  it('is deterministic: same data, same predictions, also after save and load', () => {
    const a = trainClassifier(examples, ['category', 'group']);
    const b = trainClassifier(examples, ['category', 'group']);
    a.save(path.join(work, 'a'));
    const loaded = loadClassifier(path.join(work, 'a'));
    for (const text of probes) {
      expect(b.predict(text)).toEqual(a.predict(text));
      const fromDisk = loaded.predict(text);
      for (const column of ['category', 'group']) {
        fromDisk[column]!.forEach((s, i) => {
          expect(s.label).toBe(a.predict(text)[column]![i]!.label);
          expect(s.score).toBeCloseTo(a.predict(text)[column]![i]!.score, 6);
        });
      }
    }
  });

  it('returns probabilities that sum to 1 over all classes, best first', () => {
    const model = trainClassifier(examples, ['category']);
    const all = model.predict('skrivaren är trasig', 100).category!;
    expect(all).toHaveLength(4);
    expect(all.reduce((s, x) => s + x.score, 0)).toBeCloseTo(1, 6);
    expect(all.map((x) => x.score)).toEqual([...all.map((x) => x.score)].sort((x, y) => y - x));
    expect(all[0]!.label).toBe('hardware');
    expect(model.labels[0]!.counts.hardware).toBe(24);
  });

  it('never throws on garbage: empty, emoji, 100 KB, broken UTF-8, control characters', () => {
    const model = trainClassifier(examples, ['category']);
    const brokenUtf8 = Buffer.from([0x56, 0x50, 0x4e, 0xc3, 0x28, 0xff, 0xfe, 0x20, 0xe2, 0x82]).toString('utf8');
    const garbage = ['', '   ', '😀🔥💥', 'x'.repeat(100_000), 'printer '.repeat(12_500), brokenUtf8, '\u0000\u0001\uFFFD', 'Ã¶Ã¤Ã¥'];
    for (const text of garbage) {
      const started = performance.now();
      const result = model.predict(text, 3).category!;
      expect(result).toHaveLength(3);
      for (const s of result) expect(Number.isFinite(s.score)).toBe(true);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it('refuses a model file with an unknown version', () => {
    const dir = path.join(work, 'versioned');
    trainClassifier(examples, ['category']).save(dir);
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: number };
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, version: 99 }));
    expect(() => loadClassifier(dir)).toThrow(/invalid triage model file.*version/s);
  });

  it('trains complement naive Bayes too, with calibrated-looking probabilities', () => {
    const model = trainClassifier(examples, ['category'], { algorithm: 'cnb' });
    const top = model.predict('no puedo imprimir, la impresora tiene atasco').category![0]!;
    expect(top.label).toBe('hardware');
    expect(top.score).toBeGreaterThan(0.5);
  });
});
