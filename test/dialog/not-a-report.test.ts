import { beforeAll, describe, expect, it } from 'vitest';
import { loadDialogs } from '../../src/dialog/catalog.js';
import type { Dialog } from '../../src/dialog/engine.js';
import { Script } from './script.js';

/** "Hello", "thanks", "ok" or a bare "1" are not problem descriptions, in any of the four languages. */
let guided: Dialog;
beforeAll(async () => {
  guided = (await loadDialogs()).dialogs.get('report-guided@1')!;
});

/** A report cancelled before filing: the conversation is finished, without an incident. */
function finished(lang: string, problem: string, cancel: string, data: Record<string, unknown> = {}): Script {
  const script = new Script(guided, lang, data).send(problem).result('triage', { category: 'network', security: false });
  if (script.state.pendingAction === 'kb_search') script.result('kb_search', { count: 0, articles: [] });
  script.send(cancel);
  expect(script.state.status).toBe('done');
  return script;
}

const CASES = {
  en: { hello: 'Hello!', thanks: 'thanks a lot', reask: /describe that in a few words/, standby: /whenever you need IT help/, problem: 'My laptop will not start after the update', cancel: 'cancel' },
  sv: { hello: 'Hej!', thanks: 'tack så mycket', reask: /beskriva det med några ord/, standby: /när du behöver IT-hjälp/, problem: 'Min dator startar inte efter uppdateringen', cancel: 'avbryt' },
  es: { hello: 'Hola', thanks: 'muchas gracias', reask: /describirlo en pocas palabras/, standby: /cuando necesites ayuda de TI/, problem: 'Mi portátil no arranca después de la actualización', cancel: 'cancelar' },
  pt: { hello: 'Olá', thanks: 'obrigado', reask: /descrever isso em poucas palavras/, standby: /quando precisar de ajuda de TI/, problem: 'Meu notebook não liga depois da atualização', cancel: 'cancelar' },
};

describe.each(Object.entries(CASES))('not a report (%s)', (lang, c) => {
  it('a greeting is no description: the bot asks again, the next real message is the report', () => {
    const script = new Script(guided, lang).send(c.hello).expectReply(c.reask);
    expect(script.action()).toBeUndefined();
    expect(script.send(c.problem).expectAction('triage').input).toMatchObject({ description: c.problem });
  });

  it('after a finished conversation, thanks gets a short word and starts nothing; a problem starts a new report', () => {
    const script = finished(lang, c.problem, c.cancel);
    script.send(c.thanks).expectReply(c.standby);
    expect(script.state.status).toBe('done');
    expect(script.action()).toBeUndefined();
    script.send('1').expectReply(c.standby);
    script.send(c.problem);
    expect(script.state.status).toBe('active');
    expect(script.replies().join('\n')).not.toMatch(c.standby);
  });
});

it('by email, a thank-you after a finished conversation gets no reply at all', () => {
  const script = finished('en', 'The printer on floor 3 prints blank pages', 'cancel', { channel: { name: 'email', conversational: false } });
  script.send('Thanks!');
  expect(script.effects).toEqual([]);
  expect(script.state.status).toBe('done');
});
