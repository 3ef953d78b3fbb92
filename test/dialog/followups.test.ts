import { beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/database.js';
import { DialogActions } from '../../src/dialog/actions.js';
import { loadDialogs } from '../../src/dialog/catalog.js';
import type { Dialog } from '../../src/dialog/engine.js';
import { subProblem } from '../../src/dialog/subproblem.js';
import { loadTaxonomy } from '../../src/triage/taxonomy.js';
import { createTriage } from '../../src/triage/triage.js';
import { Script } from './script.js';

/** Follow-up questions follow the sub-problem, always offer "something else", and record only what was said. */
let dialog: Dialog;
let actions: DialogActions;
beforeAll(async () => {
  const loaded = await loadDialogs();
  dialog = loaded.dialogs.get('report-guided@2')!;
  actions = new DialogActions({ triage: createTriage({ taxonomy: loadTaxonomy() }) } as never, loaded.t);
});

/** Describe → the real triage action → no KB hit: the first follow-up question. */
async function firstQuestion(lang: string, text: string): Promise<Script> {
  const script = new Script(dialog, lang).send(text);
  const triage = await actions.run(undefined as unknown as Tx, 'triage', { description: text }, { contactId: 'c', conversationId: 'v', incidentId: null, locale: lang });
  script.result('triage', triage).result('outage_check', { known: false });
  return script.result('kb_search', { count: 0, articles: [] });
}

describe('sub-problem', () => {
  it.each([
    ['kan inte logga in i Outlook', 'sign_in'],
    ['Outlook keeps asking for my password', 'sign_in'],
    ['no puedo iniciar sesión en Teams', 'sign_in'],
    ['não consigo fazer login no SAP', 'sign_in'],
    ['mi portátil va muy lento desde ayer', 'slow'],
    ['datorn är seg sedan uppdateringen', 'slow'],
    ['Outlook does not send my emails', undefined],
  ])('"%s" → %s', (text, want) => {
    expect(subProblem(text)).toBe(want);
  });
});

describe('questions that fit the report', () => {
  it('a Swedish Outlook sign-in problem is asked what happens, never sending/receiving/calendar; Outlook is read from the report', async () => {
    const script = await firstQuestion('sv', 'kan inte logga in i Outlook');
    script.expectReply(/Vad händer exakt/);
    expect(script.replies().join('\n')).not.toMatch(/Vad fungerar inte|Skicka|Ta emot/);
    expect(script.state.data).toMatchObject({ diag_system: 'Outlook' });
    expect(script.state.data).not.toHaveProperty('diag_affected');
  });

  it('a Spanish slow laptop is asked which device if needed, never building/floor/room', async () => {
    const script = await firstQuestion('es', 'mi portátil va muy lento desde ayer, tarda una eternidad en abrir todo');
    // "portátil" answers the device question from the report: straight on to who is affected.
    expect(script.replies().join('\n')).not.toMatch(/edificio|planta|sala/i);
    script.expectReply(/A quién afecta/);
  });

  it('a printer is still asked where it is', async () => {
    const script = await firstQuestion('en', 'The printer prints blank pages');
    script.expectReply(/Where is the device/);
  });

  it('an Outlook sending problem gets the mail questions, each with "Something else"; that answer is recorded as given', async () => {
    const script = await firstQuestion('en', 'Outlook has not sent my emails since this morning');
    script.expectReply(/Where do you use your email/);
    expect(script.choices()).toContain('other');
    script.send({ type: 'message', choice: 'other' });
    script.expectReply(/What doesn't work/);
    expect(script.choices()).toEqual(['sending', 'receiving', 'calendar', 'everything', 'other']);
    script.send({ type: 'message', choice: 'other' });
    expect(script.state.data).toMatchObject({ diag_client: 'other', diag_affected: 'other' });
  });

  it.each(['diag_network_where', 'diag_email_client', 'diag_email_what', 'security_kind'])('%s offers "something else"', (step) => {
    const ask = dialog.definition.steps[step]!.ask!;
    expect(ask.type === 'choice' && ask.choices.map((c) => c.id)).toContain('other');
  });
});
