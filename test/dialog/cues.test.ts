import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCues } from '../../src/dialog/cues.js';

/**
 * Impact cues are about who is affected; urgency cues about whether work stops. Sentences written for this
 * test in the four languages, including the misleading words ("customer", "entire") that once filed
 * single-user problems as P1.
 */
describe('impact and urgency cues', () => {
  it.each([
    'I cannot open the PDF a customer sent me',
    'Excel deleted my entire spreadsheet when it crashed',
    'The customer portal login page shows an error for me',
    'I lost the whole presentation I was working on',
    'Kan inte öppna fakturan som kunden skickade',
    'Hela dokumentet försvann när Word kraschade',
    'No puedo abrir el archivo que me envió un cliente',
    'Perdí todo el informe cuando se cerró Excel',
    'Não consigo abrir o anexo que o cliente mandou',
    'O Excel apagou a planilha inteira',
    'All my files on the desktop are gone',
    'Alla mina filer är borta',
  ])('no wide impact in: %s', (text) => {
    expect(readCues(text).impact).not.toBe(1);
    expect(readCues(text).impact).not.toBe(2);
  });

  it.each([
    ['SAP is down for the whole finance department, we cannot close the month', 1, 1],
    ['Nobody in the Malmö office has Wi-Fi', 1, undefined],
    ['Email is not working for everyone on the 3rd floor', 1, undefined],
    ['All customers get an error at checkout', 1, undefined],
    ['The entire sales department lost access to Salesforce', 1, undefined],
    ['Around 40 users cannot print since this morning', 1, undefined],
    ['SAP ligger nere för hela ekonomiavdelningen', 1, 1],
    ['Ingen på Malmökontoret har wifi', 1, undefined],
    ['Alla användare får fel när de loggar in', 1, undefined],
    ['SAP está caído para todo el departamento de finanzas', 1, 1],
    ['Nadie en la oficina de Madrid tiene wifi', 1, undefined],
    ['Todos los usuarios reciben un error', 1, undefined],
    ['O SAP está fora do ar para todo o departamento financeiro', 1, 1],
    ['Ninguém no escritório do Porto tem wi-fi', 1, undefined],
    ['Todos os clientes recebem erro no pagamento', 1, undefined],
  ])('wide impact in: %s', (text, impact, urgency) => {
    const cues = readCues(text);
    expect(cues.impact).toBe(impact);
    if (urgency !== undefined) expect(cues.urgency).toBe(urgency);
  });

  it.each([
    ['My team cannot reach the file share', 2],
    ['Several colleagues have the same VPN problem', 2],
    ['Mitt team kan inte nå filservern', 2],
    ['Varios compañeros tienen el mismo problema', 2],
    ['Vários colegas têm o mesmo problema', 2],
    ['It is only me, my colleagues are fine', 3],
    ['Bara jag har problemet', 3],
    ['Solo yo tengo este problema', 3],
    ['Só eu tenho esse problema', 3],
  ])('team or single impact in: %s', (text, impact) => {
    expect(readCues(text).impact).toBe(impact);
  });

  it('"not just me" is not "just me"', () => {
    expect(readCues("It's not just me, the whole office is affected").impact).toBe(1);
  });

  it.each([
    ['The VPN is down', 1],
    ['There is an outage of the CRM', 1],
    ['Servern har gått ner', 1],
    ['El sistema se cayó', 1],
    ['O sistema caiu', 1],
    ['Not urgent, the printer jams sometimes', 3],
    ['Inte bråttom, men skärmen flimrar', 3],
  ])('urgency in: %s', (text, urgency) => {
    expect(readCues(text).urgency).toBe(urgency);
  });

  it('a dropped phone is not an outage', () => {
    expect(readCues('Se me cayó el móvil y la pantalla está rota').urgency).toBeUndefined();
    expect(readCues('Meu celular caiu e a tela quebrou').urgency).toBeUndefined();
  });
});

/** The labelled evaluation set (bench/dialog): the cues never call a single-user report wide. */
describe('cues on the evaluation set', () => {
  const dir = path.resolve(import.meta.dirname, '../fixtures/dialog-eval');
  for (const lang of ['en', 'sv', 'es', 'pt']) {
    it(`no single-user ${lang} report reads as wide impact`, () => {
      const reports = readFileSync(path.join(dir, `reports.${lang}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; text: string; single_user: boolean; impact: number });
      expect(reports.length).toBeGreaterThanOrEqual(50);
      const wrong = reports.filter((r) => r.single_user && (readCues(r.text).impact ?? 3) < 3).map((r) => r.id);
      expect(wrong).toEqual([]);
      const missedOutages = reports.filter((r) => r.impact === 1 && readCues(r.text).impact !== undefined && readCues(r.text).impact !== 1).map((r) => r.id);
      expect(missedOutages).toEqual([]);
    });
  }
});
