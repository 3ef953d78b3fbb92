import { describe, expect, it } from 'vitest';
import { RuleClassifier } from '../../src/triage/rules.js';
import { loadTaxonomy, parseTaxonomy } from '../../src/triage/taxonomy.js';

const taxonomy = loadTaxonomy();
const rules = new RuleClassifier(taxonomy);

describe('default taxonomy', () => {
  it('loads and covers the seven categories with keywords in four languages', () => {
    expect(taxonomy.categories.map((c) => c.id)).toEqual(['network', 'account_access', 'email_calendar', 'hardware', 'software', 'security', 'other']);
    for (const category of taxonomy.categories.filter((c) => c.id !== 'other')) {
      expect(Object.keys(category.keywords).sort()).toEqual(['en', 'es', 'pt', 'sv']);
      const total = Object.values(category.keywords).flat().length + category.services.flatMap((s) => s.keywords).length;
      expect(total, category.id).toBeGreaterThanOrEqual(36);
    }
    expect(taxonomy.category('security')!.confidential).toBe(true);
  });

  it('finds categories by alias and services by assignment group, ignoring case and punctuation', () => {
    expect(taxonomy.findCategory('Account Access')?.id).toBe('account_access');
    expect(taxonomy.findCategory('HR Support')?.id).toBe('other');
    expect(taxonomy.findService('security operations')?.service.id).toBe('phishing');
  });

  it('rejects invalid edits with the path of the problem', () => {
    const base = { version: 1, fallbackCategory: 'x', categories: [{ id: 'x', name: 'X', assignmentGroup: 'G', tier: 'L1', services: [{ id: 's', name: 'S', assignmentGroup: 'G', tier: 'L1' }] }] };
    expect(() => parseTaxonomy(base)).not.toThrow();
    expect(() => parseTaxonomy({ ...base, fallbackCategory: 'nope' })).toThrow(/fallbackCategory/);
    expect(() => parseTaxonomy({ ...base, categories: [base.categories[0], base.categories[0]] })).toThrow(/duplicate category id "x"/);
    expect(() => parseTaxonomy({ ...base, categories: [{ ...base.categories[0], tier: 'L4' }] })).toThrow(/categories\[0\]\.tier|tier/);
    expect(() => parseTaxonomy({ ...base, categories: [{ ...base.categories[0], minUrgency: 'urgent' }] })).toThrow(/minUrgency/);
  });
});

describe('RuleClassifier', () => {
  it.each([
    ['Jag kan inte logga in på VPN', 'network', 'vpn'],
    ['Mitt lösenord har gått ut och kontot är låst', 'account_access', null],
    ['Skrivaren på tredje våningen skriver inte ut', 'hardware', 'printers'],
    ['No puedo imprimir', 'hardware', 'printers'],
    ['Olvidé mi contraseña', 'account_access', null],
    ['La wifi de la oficina no funciona', 'network', 'wifi'],
    ['Meu e-mail não sincroniza', 'email_calendar', 'exchange_outlook'],
    ['Nao consigo acessar minha conta, senha expirada', 'account_access', null],
    ['My Outlook calendar is not syncing', 'email_calendar', 'exchange_outlook'],
    ['Excel crashes when I open the file', 'software', 'office_productivity'],
  ])('%s → %s / %s', (text, category, service) => {
    const result = rules.classify(text);
    expect(result.category).toBe(category);
    expect(result.service).toBe(service);
    expect(result.confidence).toBeGreaterThan(0);
    expect(result.matchedKeywords.length).toBeGreaterThan(0);
  });

  it('flags security reports as confidential with a raised urgency, in every language', () => {
    for (const text of ['I clicked a phishing link', 'Klickade på en länk i ett misstänkt mejl', 'Recibí un correo sospechoso', 'Perdi meu notebook no aeroporto', 'my laptop was stolen']) {
      const result = rules.classify(text);
      expect(result.category, text).toBe('security');
      expect(result.confidential, text).toBe(true);
      expect(result.minUrgency, text).toMatch(/high|critical/);
      expect(result.assignmentGroup, text).toBe('Security Operations');
    }
    expect(rules.classify('I clicked a phishing link').service).toBe('phishing');
  });

  it('falls back to the fallback category with zero confidence when nothing matches', () => {
    for (const text of ['', '😀😀😀', 'hello there', 'x'.repeat(100_000), Buffer.from([0xff, 0xfe, 0xc3]).toString('utf8')]) {
      const result = rules.classify(text);
      expect(result.category).toBe('other');
      expect(result.confidence).toBe(0);
      expect(result.assignmentGroup).toBe('Service Desk');
    }
  });

  it('matches accent-less spellings and prefix keywords', () => {
    expect(rules.classify('losenordet fungerar inte').category).toBe('account_access');
    expect(rules.classify('skrivarna är trasiga').service).toBe('printers');
  });

  it('stays fast on 100 KB of keyword-dense text', () => {
    const started = performance.now();
    const result = rules.classify('printer error vpn password '.repeat(4000));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.confidence).toBeGreaterThan(0);
  });
});
