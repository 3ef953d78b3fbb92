import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cardMessage } from '../../channels/slack/blocks.js';
import { loadDialogs } from '../../src/dialog/catalog.js';
import type { Dialog } from '../../src/dialog/engine.js';
import { parseSlaConfig } from '../../src/sla/config.js';
import { reportKind } from '../../src/triage/request-kind.js';
import { loadTaxonomy, parseTaxonomy } from '../../src/triage/taxonomy.js';
import { createTriage } from '../../src/triage/triage.js';
import { Script } from './script.js';

/** Service requests vs incidents: detection, routing, SLA and the dialog that skips the outage questions. */
const taxonomy = loadTaxonomy();
const triage = createTriage({ taxonomy });

describe('request or incident', () => {
  it.each([
    ['New hire starting Monday needs access to Jira and GitHub', 'onboarding'],
    ['Kan jag få behörighet till den delade mappen för ekonomi?', 'access'],
    ['Necesito que me instaléis Visio en el portátil', 'software'],
    ['Preciso de um monitor novo, o meu é muito pequeno', 'hardware'],
    ['How do I add a signature to my emails?', 'howto'],
  ])('"%s" is a %s request', (text, topic) => {
    expect(reportKind(text)).toMatchObject({ kind: 'request', topic });
  });

  it.each([
    "I can't log in to Jira since this morning",
    'kan inte logga in i Outlook',
    'Me sale acceso denegado en la carpeta de Contabilidad',
    'Esqueci minha senha e não consigo entrar no computador',
    // An ask because something broke is still an incident; a replacement device is a request (below).
    'Please reset my password, it expired and I am locked out',
    'The new laptop I got last week will not start',
  ])('"%s" is an incident', (text) => {
    expect(reportKind(text).kind).toBe('incident');
  });

  it('a replacement for an old or slow device is a request even with a complaint in the sentence', () => {
    expect(reportKind('I need a new laptop, mine is six years old and crashes all the time')).toMatchObject({ kind: 'request', topic: 'hardware' });
  });

  it.each(['en', 'sv', 'es', 'pt'])('at least 95 percent right on the labelled evaluation set (%s)', (lang) => {
    const file = path.resolve(import.meta.dirname, `../fixtures/dialog-eval/reports.${lang}.jsonl`);
    const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; text: string; kind: string });
    expect(rows.filter((r) => r.kind === 'request').length).toBeGreaterThanOrEqual(15);
    const wrong = rows.filter((r) => reportKind(r.text).kind !== r.kind).map((r) => r.id);
    expect(wrong.length / rows.length, wrong.join(', ')).toBeLessThan(0.05);
  });
});

describe('routing of requests (taxonomy `requests`)', () => {
  it('an access or onboarding request goes to Identity & Access, not to the app it names', () => {
    expect(triage('New hire starting Monday needs access to Jira and GitHub')).toMatchObject({
      kind: 'request', requestTopic: 'onboarding', category: 'account_access', service: 'access_request', assignmentGroup: 'Identity & Access Management',
    });
    expect(triage('Could I get access to the Jira project FIN-OPS?')).toMatchObject({ kind: 'request', assignmentGroup: 'Identity & Access Management' });
  });

  it('a software install goes to End-User Computing; a how-to keeps the category the keywords found', () => {
    expect(triage('Please install Visio on my computer')).toMatchObject({ kind: 'request', service: 'software_install', assignmentGroup: 'End-User Computing' });
    expect(triage('How do I set up my out of office reply in Outlook?')).toMatchObject({ kind: 'request', requestTopic: 'howto', category: 'email_calendar' });
  });

  it('a security signal is never a request', () => {
    const got = triage('I entered my password on the fake login page, how do I get a new one?');
    expect(got).toMatchObject({ kind: 'incident', category: 'security' });
    expect(got.requestTopic).toBeUndefined();
  });

  it('a requests entry naming an unknown category or service is a start-up error with its path', () => {
    const base = { version: 1, fallbackCategory: 'x', categories: [{ id: 'x', name: 'X', assignmentGroup: 'G', tier: 'L1', services: [{ id: 's', name: 'S', assignmentGroup: 'G', tier: 'L1' }] }] };
    expect(() => parseTaxonomy({ ...base, requests: { access: { category: 'x', service: 's' } } })).not.toThrow();
    expect(() => parseTaxonomy({ ...base, requests: { access: { category: 'nope' } } })).toThrow(/requests\.access\.category|unknown category "nope"/);
    expect(() => parseTaxonomy({ ...base, requests: { access: { category: 'x', service: 'nope' } } })).toThrow(/unknown service "nope"/);
    expect(() => parseTaxonomy({ ...base, requests: { parking: { category: 'x' } } })).toThrow(/parking|requests/);
  });
});

describe('request SLA (sla.yaml `requestTargets`)', () => {
  const targets = { P1: { response: '15m', resolution: '4h' }, P2: { response: '30m', resolution: '8h' }, P3: { response: '2h', resolution: '1d' }, P4: { response: '8h', resolution: '5d' }, P5: { response: '1d', resolution: '10d' } };
  it('own targets where listed, the incident targets elsewhere', () => {
    const sla = parseSlaConfig({ targets, requestTargets: { P4: { response: '1d', resolution: '3d' } } });
    expect(sla.requestPolicy.P4).toEqual({ responseMinutes: 1440, resolutionMinutes: 3 * 1440 });
    expect(sla.requestPolicy.P2).toEqual(sla.policy.P2);
    expect(() => parseSlaConfig({ targets, requestTargets: { P4: { response: 'soon', resolution: '3d' } } })).toThrow(/requestTargets\.P4\.response/);
  });
});

describe('the guided dialog for a request', () => {
  let dialog: Dialog;
  beforeAll(async () => {
    dialog = (await loadDialogs()).dialogs.get('report-guided@2')!;
  });

  const L = {
    en: { text: 'Please install Visio on my computer', when: /When do you need it/, summary: /Here is the request.*\n• Request: Please install Visio.*\n.*\n• Priority: P4, because you need it within days/s, filed: /Your request is INC-000007, priority P4/ },
    sv: { text: 'Installera Visio på min dator tack', when: /När behöver du det/, summary: /beställningen jag skickar.*Prioritet: P4, eftersom du behöver det inom några dagar/s, filed: /Din beställning är INC-000007, prioritet P4/ },
    es: { text: 'Por favor, instaladme Visio en el ordenador', when: /Para cuándo lo necesitas/, summary: /la solicitud que enviaré.*Prioridad: P4, porque lo necesitas en unos días/s, filed: /Tu solicitud es INC-000007, prioridad P4/ },
    pt: { text: 'por favor instalem o Visio no meu computador', when: /Para quando você precisa/, summary: /o pedido que vou enviar.*Prioridade: P4, porque você precisa em poucos dias/s, filed: /O seu pedido é INC-000007, prioridade P4/ },
  };

  it.each(Object.entries(L))('no diagnosis, no "who is affected?" or "can you work?": "when do you need it?" (%s)', (lang, c) => {
    const script = new Script(dialog, lang).send(c.text);
    script.result('triage', { category: 'software', service: 'software_install', security: false, kind: 'request', request_topic: 'software', impact: 3 }).result('outage_check', { known: false });
    // Straight from the KB step to "when": no diagnosis question, no "who is affected?", no "can you work?".
    script.result('kb_search', { count: 0, articles: [] }).expectReply(c.when);
    expect(script.replies()).toHaveLength(1);
    expect(script.choices()).toEqual(['today', 'soon', 'later']);
    script.send({ type: 'message', choice: 'soon' });
    const input = script.expectAction('prioritize').input;
    expect(input).toMatchObject({ urgency: 2 });
    script.result('prioritize', { priority: 'P4', impact: 3, urgency: 2, response: '8 hours', resolution: '3 days' }).expectReply(c.summary);
    script.send({ type: 'message', choice: 'yes' });
    script.result('file_incident', { id: 'x', number: 'INC-000007', title: c.text, priority: 'P4', kind: 'request', response: '8 hours', resolution: '3 days' }).expectReply(c.filed);
    expect(script.state.data).toMatchObject({ urgency: 2, file_incident: { kind: 'request' } });
  });
});

describe('agents see a request as a request', () => {
  const view = {
    id: 'i1', number: 'INC-000012', title: 'Access to Jira for a new hire', description: '', category: 'account_access', service: 'access_request', priority: 'P4', impact: 3, urgency: 2,
    status: 'new', tier: 'L1', assignee: null, assignmentGroup: 'Identity & Access Management', confidential: false, resolution: null,
    reporter: { id: 'c1', name: 'Anna', email: null }, originChannel: 'webchat', responseDueAt: null, resolutionDueAt: null, createdAt: new Date(0),
  };
  it('the Slack card and its fallback say "Service request"; an incident card does not', () => {
    const card = cardMessage({ ...view, type: 'request' });
    expect(JSON.stringify(card.attachments)).toMatch(/\*Service request\*/);
    expect(card.text).toBe('INC-000012 · P4 · request · Access to Jira for a new hire');
    const incident = cardMessage({ ...view, type: 'incident' });
    expect(JSON.stringify(incident.attachments)).not.toMatch(/Service request/);
    expect(incident.text).toBe('INC-000012 · P4 · Access to Jira for a new hire');
  });
});
