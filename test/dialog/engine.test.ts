import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDialogs } from '../../src/dialog/catalog.js';
import { validateDefinition } from '../../src/dialog/definition.js';
import { type Dialog, start, transition } from '../../src/dialog/engine.js';
import { Script } from './script.js';

let dialog: Dialog;
beforeAll(async () => {
  const { dialogs } = await loadDialogs();
  dialog = dialogs.get('report-incident@1')!;
});

const scripts = {
  en: { ask: /What's the problem/, text: 'My VPN drops', confirm: /Shall I go ahead/, yes: 'yes', filed: /Your incident is INC-000007 \(priority P5\)/ },
  sv: { ask: /Vad är problemet/, text: 'Min VPN kopplar ner', confirm: /Ska jag göra det/, yes: 'ja', filed: /Ditt ärende är INC-000007/ },
  es: { ask: /Cuál es el problema/, text: 'Mi VPN se desconecta', confirm: /Continúo/, yes: 'sí', filed: /Tu incidencia es INC-000007/ },
  pt: { ask: /Qual é o problema/, text: 'Minha VPN cai', confirm: /Posso continuar/, yes: 'sim', filed: /O seu chamado é INC-000007/ },
};

describe('report-incident dialog (pure engine)', () => {
  for (const [locale, s] of Object.entries(scripts)) {
    it(`files an incident in ${locale}`, () => {
      const script = new Script(dialog, locale).expectReply(s.ask);
      script.send(s.text).expectReply(s.confirm);
      script.send(s.yes);
      expect(script.action()).toMatchObject({ action: 'file_incident', input: { description: s.text, confirmed: true } });
      script.send({ type: 'action_result', action: 'file_incident', result: { number: 'INC-000007', priority: 'P5' } }).expectReply(s.filed);
      expect(script.state.status).toBe('done');
    });
  }

  it('re-asks politely on an invalid answer, then gives up and repeats the step', () => {
    const script = new Script(dialog, 'en').send('Teams has no sound');
    script.send('maybe?').expectReply(/Please answer yes or no/).expectReply(/Shall I go ahead/);
    expect(script.state.retries).toBe(1);
    script.send('hmm');
    script.send('perhaps').expectReply(/still didn't understand/);
    expect(script.state.step).toBe('confirm');
    script.send('no').expectReply(/describe the problem again/);
    script.send('Teams has no sound in meetings').expectReply(/"Teams has no sound in meetings"/);
  });

  it('accepts quick-reply choices by id and emoji/empty input safely', () => {
    const script = new Script(dialog, 'en');
    script.send('').expectReply(/describe that in a few words/);
    script.send('😀😀😀').expectReply(/not emoji or symbols on their own/);
    script.send('x'.repeat(100_000)).expectReply(/Shall I go ahead/);
    script.send({ type: 'message', choice: 'yes' });
    expect(script.action()?.action).toBe('file_incident');
    // While the action runs, more messages are acknowledged without side effects.
    script.send('hello?').expectReply(/still working/);
    expect(script.action()).toBeUndefined();
  });

  it('after filing, further messages are added to the incident', () => {
    const script = new Script(dialog, 'en').send('Disk full').send('yes');
    script.send({ type: 'action_result', action: 'file_incident', result: { number: 'INC-000001', priority: 'P5' } });
    script.send('It is drive C:');
    expect(script.effects).toContainEqual({ type: 'append_to_incident', text: 'It is drive C:' });
  });

  it('is pure: the same state and event give the same result', () => {
    const [s1] = start(dialog, 'en');
    const a = transition(dialog, s1, { type: 'message', text: 'Laptop will not boot' });
    const b = transition(dialog, s1, { type: 'message', text: 'Laptop will not boot' });
    expect(a).toEqual(b);
    expect(s1.step).toBe('describe'); // input state untouched
  });
});

describe('dialog definitions are validated data', () => {
  it('refuses unknown steps and bad shapes with a message naming the source', () => {
    expect(() => validateDefinition({ id: 'x', version: 1, start: 'a', steps: { a: { say: 'k', next: 'b' } } }, 'x.yaml')).toThrow(/x\.yaml: unknown step\(s\) b/);
    expect(() => validateDefinition({ id: 'x', version: 1, start: 'a', steps: { a: { say: 'k' } } }, 'y.yaml')).toThrow(/y\.yaml: .*needs `next`/);
    expect(() => validateDefinition({ id: 'x', version: 0, start: 'a', steps: {} }, 'z.yaml')).toThrow(/z\.yaml: version/);
  });

  it('every shipped definition loads, and every prompt exists in every language', async () => {
    const { dialogs, locales } = await loadDialogs(path.resolve(import.meta.dirname, '../../dialogs'));
    expect(locales).toEqual(expect.arrayContaining(['en', 'sv', 'es', 'pt']));
    const en = (await import('../../dialogs/locales/en.json', { with: { type: 'json' } })).default as Record<string, string>;
    for (const locale of locales) {
      const catalog = (await import(`../../dialogs/locales/${locale}.json`, { with: { type: 'json' } })).default as Record<string, string>;
      expect(Object.keys(catalog).sort(), locale).toEqual(Object.keys(en).sort());
    }
    for (const d of dialogs.values()) {
      for (const step of Object.values(d.definition.steps)) if (step.say) expect(en[step.say], step.say).toBeDefined();
    }
  });
});
