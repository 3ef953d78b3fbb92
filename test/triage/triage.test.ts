import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainClassifier, type TrainingExample } from '../../src/triage/classifier.js';
import { readDataset, rowText } from '../../src/triage/dataset.js';
import { loadTaxonomy } from '../../src/triage/taxonomy.js';
import { createTriage } from '../../src/triage/triage.js';

const taxonomy = loadTaxonomy();
const fixtures = path.resolve(import.meta.dirname, '../fixtures/triage');
const rows = readDataset(path.join(fixtures, 'multilingual-train.csv')).rows;
const examples = (labels: (row: Record<string, string>) => Record<string, string>): TrainingExample[] =>
  rows.map((row) => ({ text: rowText(row, ['title', 'body']), labels: labels(row) }));

describe('createTriage', () => {
  it('uses the keyword rules when there is no model', () => {
    const triage = createTriage({ taxonomy });
    const result = triage('Jag kan inte logga in på VPN');
    expect(result).toMatchObject({ source: 'rules', category: 'network', service: 'vpn', assignmentGroup: 'Network Operations', tier: 'L2', confidential: false });
    expect(result.alternatives.map((a) => a.category)).toContain('account_access');
  });

  it('uses a confident model and maps its labels onto the taxonomy', () => {
    const classifier = trainClassifier(examples((r) => ({ category: r.category!, group: r.group! })), ['category', 'group']);
    const triage = createTriage({ taxonomy, classifier });
    const result = triage('Hej! skrivaren på plan 3 skriver inte ut. Tack!');
    expect(result.source).toBe('model');
    expect(result.category).toBe('hardware');
    expect(result.assignmentGroup).toBe('End-User Computing');
    expect(result.confidence).toBeGreaterThanOrEqual(0.5);
    expect(result.alternatives).toHaveLength(2);
    expect(result.alternatives.every((a) => a.score <= result.confidence)).toBe(true);
  });

  it('keeps model labels the taxonomy does not know, such as numeric codes', () => {
    const codes: Record<string, string> = { network: '6', hardware: '4', account_access: '5', email_calendar: '7' };
    const classifier = trainClassifier(examples((r) => ({ category: codes[r.category!]! })), ['category']);
    const result = createTriage({ taxonomy, classifier, minModelConfidence: 0 })('Hola, la impresora del tercer piso no imprime');
    expect(result).toMatchObject({ source: 'model', category: '4', service: null });
  });

  it('falls back to the rules when the model is unsure and the rules matched', () => {
    const classifier = trainClassifier(examples((r) => ({ category: r.category! })), ['category']);
    // Phishing is nothing the model has seen: its best guess is weak.
    const triage = createTriage({ taxonomy, classifier, minModelConfidence: 0.9 });
    const result = triage('I clicked a phishing link in a suspicious email');
    expect(result.source).toBe('rules');
    expect(result).toMatchObject({ category: 'security', confidential: true, minUrgency: 'high' });
  });

  it('keeps the confidential flag from the rules even when the model decides', () => {
    const classifier = trainClassifier(examples((r) => ({ category: r.category! })), ['category']);
    const triage = createTriage({ taxonomy, classifier, minModelConfidence: 0 });
    const result = triage('Outlook does not sync my mailbox since I clicked a phishing link');
    expect(result.source).toBe('model');
    expect(result.confidential).toBe(true);
    expect(result.matchedKeywords.length).toBeGreaterThan(0);
  });

  it('keeps a phishing report confidential when the rules pick another category', () => {
    const result = createTriage({ taxonomy })('Outlook stopped syncing my mailbox after I clicked a phishing link');
    expect(result.source).toBe('rules');
    expect(result.confidential).toBe(true);
    expect(result.minUrgency).toBe('high');
  });

  it('never throws on garbage, with or without a model', () => {
    const classifier = trainClassifier(examples((r) => ({ category: r.category! })), ['category']);
    for (const triage of [createTriage({ taxonomy }), createTriage({ taxonomy, classifier })]) {
      for (const text of ['', '🙈🙉🙊', 'a'.repeat(100_000), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]).toString('utf8')]) {
        const result = triage(text);
        expect(typeof result.category).toBe('string');
        expect(Number.isFinite(result.confidence)).toBe(true);
      }
    }
  });
});
