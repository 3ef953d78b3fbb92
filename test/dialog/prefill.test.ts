import { beforeAll, describe, expect, it } from 'vitest';
import { loadDialogs } from '../../src/dialog/catalog.js';
import { validateDefinition } from '../../src/dialog/definition.js';
import type { Dialog } from '../../src/dialog/engine.js';
import { durationWords } from '../../src/sla/config.js';
import { Script } from './script.js';

/**
 * Questions the report already answers are skipped (chat and email), and on a channel that is not
 * conversational (email) a report that says enough is filed at once, with an acknowledgement of what was
 * understood. Pure engine, four languages.
 */
let dialog: Dialog;
beforeAll(async () => {
  dialog = (await loadDialogs()).dialogs.get('report-guided@1')!;
});

const EMAIL = { channel: { name: 'email', conversational: false } };
const CHAT = { channel: { name: 'webchat', conversational: true } };
const VPN = { category: 'network', service: 'vpn', service_name: 'VPN', service_known: 'yes', confidence: 0.4, security: false };
const ARTICLES = { count: 2, articles: [{ id: 'vpn-drops', title: 'VPN keeps dropping' }, { id: 'vpn-809', title: 'VPN error 809' }] };

const L = {
  en: {
    complete: "Since this morning VPN fails with error 809 on my laptop at home; the whole team can't work, deadline today",
    vague: 'VPN is broken',
    others: /Do other websites/, impact: /Who is affected/, summary: /From your report \(answer no to correct it\):\n• Connecting from: Home\n/,
    ack: [/filed your report as INC-000042\. Here is what I understood:/, /• Area: network \(VPN\)/, /• Who is affected: a whole department or customers/, /• Urgency: work is blocked/,
      /• Priority: P1, because many people or customers are affected and work is blocked\n• Connecting from: Home\n/, /respond within 15 minutes and to resolve it within 4 hours/,
      /reply to this message/, /While you wait, these articles may help:\n• VPN keeps dropping\n• VPN error 809/],
    suggest: /These articles/, edit: /What would you like to change/, where: /Where are you connecting from/,
    phishing: 'I got a phishing email this morning that looked like our bank and I clicked the link and entered my password; several colleagues got it too, my team',
    securityAck: [/• What happened: A suspicious email or link/, /• Clicked a link, opened an attachment or entered a password: Yes/],
  },
  sv: {
    complete: 'Sedan i morse fungerar inte VPN hemma, den ger felkod 809 på min bärbara dator. Hela avdelningen kan inte jobba och vi har deadline i dag.',
    vague: 'VPN fungerar inte',
    others: /Fungerar andra webbplatser/, impact: /Vilka påverkas/, summary: /Från din beskrivning \(svara nej för att rätta\):\n• Ansluter från: Hemifrån\n/,
    ack: [/registrerat ditt ärende som INC-000042\. Så här har jag förstått det:/, /• Område: nätverk \(VPN\)/, /• Vilka påverkas: en hel avdelning eller kunder/, /• Brådska: arbetet står still/,
      /• Prioritet: P1, eftersom många personer eller kunder påverkas och arbetet står still\n• Ansluter från: Hemifrån\n/, /svara inom 15 minuter och lösa det inom 4 timmar/,
      /svara bara på det här meddelandet/, /Medan du väntar kan de här artiklarna hjälpa:\n• VPN keeps dropping/],
    suggest: /De här artiklarna/, edit: /Vad vill du ändra/, where: /Varifrån ansluter du/,
    phishing: 'Jag fick ett nätfiske-mejl i morse som såg ut att komma från banken, och jag klickade på länken och skrev in mitt lösenord. Flera kollegor fick det också.',
    securityAck: [/• Vad som hänt: Ett misstänkt mejl eller en länk/, /• Klickade på en länk, öppnade en bilaga eller angav lösenordet: Ja/],
  },
  es: {
    complete: 'Desde esta mañana la VPN falla con el error 809 en mi portátil en casa; todo el departamento no puede trabajar y hoy tenemos una entrega.',
    vague: 'La VPN no va',
    others: /Funcionan otras webs/, impact: /A quién afecta/, summary: /De tu descripción \(responde no para corregirlo\):\n• Conectado desde: Casa\n/,
    ack: [/he registrado tu incidencia como INC-000042\. Esto es lo que he entendido:/, /• Área: red \(VPN\)/, /• A quién afecta: a todo un departamento o a clientes/, /• Urgencia: el trabajo está bloqueado/,
      /• Prioridad: P1, porque afecta a muchas personas o clientes y el trabajo está bloqueado\n• Conectado desde: Casa\n/, /responder en 15 minutos y resolverla en 4 horas/,
      /responde a este mensaje/, /Mientras esperas, estos artículos pueden ayudarte:\n• VPN keeps dropping/],
    suggest: /Estos artículos/, edit: /Qué quieres cambiar/, where: /Desde dónde te conectas/,
    phishing: 'Esta mañana recibí un correo sospechoso que parecía del banco; hice clic en el enlace y puse mi contraseña. Varios compañeros también lo recibieron.',
    securityAck: [/• Qué pasó: Un correo o enlace sospechoso/, /• Hizo clic en un enlace, abrió un adjunto o introdujo la contraseña: Sí/],
  },
  pt: {
    complete: 'Desde hoje de manhã a VPN falha com o erro 809 no meu notebook em casa; o departamento todo não consegue trabalhar e o prazo é hoje.',
    vague: 'A VPN não funciona',
    others: /Outros sites ou dispositivos/, impact: /Quem é afetado/, summary: /Da sua descrição \(responda não para corrigir\):\n• Conectando de: De casa\n/,
    ack: [/registrei o seu chamado como INC-000042\. Isto é o que entendi:/, /• Área: rede \(VPN\)/, /• Quem é afetado: um departamento inteiro ou clientes/, /• Urgência: o trabalho está bloqueado/,
      /• Prioridade: P1, porque afeta muitas pessoas ou clientes e o trabalho está bloqueado\n• Conectando de: De casa\n/, /responder em até 15 minutos e resolver em até 4 horas/,
      /responder a esta mensagem/, /Enquanto espera, estes artigos podem ajudar:\n• VPN keeps dropping/],
    suggest: /Estes artigos/, edit: /O que você quer mudar/, where: /De onde você está se conectando/,
    phishing: 'Hoje de manhã recebi um e-mail suspeito que parecia do banco; cliquei no link e digitei a minha senha. Vários colegas também receberam.',
    securityAck: [/• O que aconteceu: Um e-mail ou link suspeito/, /• Clicou em um link, abriu um anexo ou digitou a senha: Sim/],
  },
} as const;

type Lang = keyof typeof L;

function filedAtOnce(lang: Lang, script: Script, priority: string, response: number, resolution: number): Script {
  expect(script.expectAction('prioritize').input).toMatchObject({ complete: true });
  script.result('prioritize', { priority, impact: 1, urgency: 1 });
  script.expectAction('file_incident');
  script.result('file_incident', { id: 'i-42', number: 'INC-000042', priority, response: durationWords(response, lang), resolution: durationWords(resolution, lang) });
  expect(script.state.status).toBe('done');
  return script;
}

describe.each(Object.keys(L) as Lang[])('reports that already say enough, in %s (pure engine)', (lang) => {
  const s = L[lang];

  it('email: a complete report is filed at once; the acknowledgement says what was understood', () => {
    const script = new Script(dialog, lang, EMAIL).send(s.complete);
    expect(script.state.locale).toBe(lang);
    script.result('triage', { ...VPN, impact: 1, urgency: 1 });
    // KB suggestions are searched for the acknowledgement, not asked about.
    script.expectAction('kb_search');
    script.result('kb_search', ARTICLES);
    expect(script.replies()).toEqual([]);
    filedAtOnce(lang, script, 'P1', 15, 240);
    expect(script.replies()).toHaveLength(1); // one mail
    for (const part of s.ack) script.expectReply(part);
    expect(script.state.data).toMatchObject({ diag_location: 'home', prefilled: ['diag_location'] });
    expect(script.state.data.diag_other_devices_work).toBeUndefined(); // not required for "complete"
  });

  it('email: a vague report still gets the questions', () => {
    const script = new Script(dialog, lang, EMAIL).send(s.vague);
    script.result('triage', { ...VPN, confidence: 0.67 }).result('kb_search', ARTICLES).expectReply(s.suggest);
    expect(script.state.data.complete).toBe(false);
    script.send({ type: 'message', choice: 'none' }).expectReply(s.where);
  });

  it('email: without impact and urgency in the report it is not complete', () => {
    const script = new Script(dialog, lang, EMAIL).send(s.complete);
    script.result('triage', VPN).result('kb_search', ARTICLES).expectReply(s.suggest);
    expect(script.state.data.complete).toBe(false);
  });

  it('chat: the same report keeps the conversation but skips what it already answers, and the summary shows it', () => {
    const script = new Script(dialog, lang, CHAT).send(s.complete);
    script.result('triage', { ...VPN, impact: 1, urgency: 1 }).result('kb_search', ARTICLES).expectReply(s.suggest);
    // "at home" answers "where are you connecting from?": straight to the next question.
    script.send({ type: 'message', choice: 'none' }).expectReply(s.others);
    expect(script.replies().join('\n')).not.toMatch(s.where);
    expect(script.send({ type: 'message', choice: 'yes' }).expectAction('prioritize').input).toMatchObject({ diag_location: 'home', diag_other_devices_work: true });
    script.result('prioritize', { priority: 'P1', impact: 1, urgency: 1 }).expectReply(s.summary);
  });

  it('chat: a pre-filled answer can be corrected from the summary', () => {
    const script = new Script(dialog, lang, CHAT).send(s.complete);
    script.result('triage', { ...VPN, impact: 1, urgency: 1 }).result('kb_search', { count: 0, articles: [] }).expectReply(s.others);
    script.send({ type: 'message', choice: 'no' }).result('prioritize', { priority: 'P1', impact: 1, urgency: 1 });
    script.send({ type: 'message', choice: 'no' }).expectReply(s.edit);
    expect(script.choices()).toContain('details');
    script.send({ type: 'message', choice: 'details' }).expectReply(s.where); // asked now, not read again
    script.send({ type: 'message', choice: 'office' }).expectReply(s.others);
    script.send({ type: 'message', choice: 'no' }).result('prioritize', { priority: 'P1', impact: 1, urgency: 1 });
    expect(script.state.data).toMatchObject({ diag_location: 'office', prefilled: [] });
    expect(script.replies().join('\n')).not.toMatch(s.summary);
  });

  it('email: a complete security report is filed at once without self-service', () => {
    const script = new Script(dialog, lang, EMAIL).send(s.phishing);
    script.result('triage', { category: 'security', service: 'phishing', service_name: 'Phishing', service_known: 'yes', confidence: 0.64, security: true, confidential: true, impact: 2, urgency: 1 });
    filedAtOnce(lang, script, 'P2', 30, 480);
    for (const part of s.securityAck) script.expectReply(part);
    expect(script.state.data.kb_search).toBeUndefined();
    expect(script.state.data).toMatchObject({ diag_security_kind: 'phishing', diag_clicked_or_entered_password: true });
  });
});

/** One report per diagnosis set: what is read from it, and the question that is still asked. */
describe('answers read from the report, per diagnosis set', () => {
  const cases: { name: string; lang: Lang; text: string; triage: Record<string, unknown>; read: Record<string, unknown>; next: RegExp }[] = [
    { name: 'network', lang: 'en', text: 'Wi-Fi at the hotel drops every minute, internet works on my phone though', triage: { category: 'network' }, read: { diag_location: 'travelling', diag_other_devices_work: true }, next: /Who is affected/ },
    { name: 'account', lang: 'en', text: 'Cannot sign in to Salesforce, it says "Your password has expired" every time', triage: { category: 'account_access' }, read: { diag_system: 'Salesforce', diag_error: 'Your password has expired' }, next: /Who is affected/ },
    { name: 'account (sv)', lang: 'sv', text: 'Jag kan inte logga in i SAP, kontot är låst sedan i går', triage: { category: 'account_access' }, read: { diag_system: 'SAP', diag_error: 'kontot är låst' }, next: /Vilka påverkas/ },
    { name: 'email', lang: 'en', text: 'I cannot send any email from Outlook on my phone since yesterday', triage: { category: 'email_calendar' }, read: { diag_client: 'phone', diag_affected: 'sending' }, next: /Who is affected/ },
    { name: 'email (es)', lang: 'es', text: 'No recibo correos en el navegador desde ayer por la tarde', triage: { category: 'email_calendar' }, read: { diag_client: 'web', diag_affected: 'receiving' }, next: /A quién afecta/ },
    { name: 'hardware', lang: 'en', text: 'The HP LaserJet M404 printer on floor 3 keeps jamming', triage: { category: 'hardware' }, read: { diag_device: 'HP LaserJet M404', diag_location: 'floor 3' }, next: /Who is affected/ },
    { name: 'hardware (pt)', lang: 'pt', text: 'A impressora do 3º andar não imprime nada desde ontem', triage: { category: 'hardware' }, read: { diag_device: 'impressora', diag_location: '3º andar' }, next: /Quem é afetado/ },
    { name: 'software', lang: 'en', text: 'Excel 2016 crashes with error 0xc0000005 whenever I open the budget file', triage: { category: 'software' }, read: { diag_application: 'Excel 2016', diag_error: 'error 0xc0000005' }, next: /Who is affected/ },
    { name: 'other', lang: 'es', text: 'La pantalla del proyector de la sala parpadea desde el lunes pasado', triage: { category: 'other' }, read: { diag_since: 'desde el lunes' }, next: /A quién afecta/ },
    { name: 'security (lost device)', lang: 'en', text: 'My work laptop was stolen on the train to Gothenburg this morning', triage: { category: 'security', security: true }, read: { diag_security_kind: 'lost_device', diag_last_seen: 'on the train to Gothenburg this morning' }, next: /Who is affected/ },
  ];
  it.each(cases)('$name', ({ lang, text, triage, read, next }) => {
    const script = new Script(dialog, lang, CHAT).send(text);
    script.result('triage', { security: false, ...triage });
    if (script.state.pendingAction === 'kb_search') script.result('kb_search', { count: 0, articles: [] });
    script.expectReply(next);
    expect(script.state.data).toMatchObject(read);
    expect(script.state.data.prefilled).toEqual(Object.keys(read));
  });

  it('a report that names two options of one question is ambiguous: the question is asked', () => {
    const script = new Script(dialog, 'en', CHAT).send('VPN works at the office but not from home');
    script.result('triage', { category: 'network', security: false }).result('kb_search', { count: 0, articles: [] });
    script.expectReply(/Where are you connecting from/);
  });

  it('"I did not click" is a no, not a yes', () => {
    const script = new Script(dialog, 'en', CHAT).send('Got a phishing mail pretending to be HR; I did not click anything');
    script.result('triage', { category: 'security', security: true, urgency: 1 });
    expect(script.state.data).toMatchObject({ diag_security_kind: 'phishing', diag_clicked_or_entered_password: false });
  });
});

describe('prefill rules are data, validated at load', () => {
  const base = {
    id: 'x', version: 1, start: 'a',
    steps: { a: { say: 'q', ask: { type: 'choice', store: 'where', label: 'l', choices: [{ id: 'home', label: 'h', extract: { en: ['\\bat home\\b'] } }] }, next: 'b' }, b: { say: 'done', final: true } },
  };
  it('accepts a question with extract patterns and a label', () => {
    expect(validateDefinition(base).steps.a!.ask).toMatchObject({ label: 'l', required: true });
  });
  it('refuses a pre-fillable question without a label, and a broken pattern', () => {
    const noLabel = structuredClone(base) as { steps: { a: { ask: Record<string, unknown> } } };
    delete noLabel.steps.a.ask.label;
    expect(() => validateDefinition(noLabel, 'x.yaml')).toThrow(/step a reads its answer from the report.*label/);
    const broken = structuredClone(base) as { steps: { a: { ask: { choices: { extract: Record<string, string[]> }[] } } } };
    broken.steps.a.ask.choices[0]!.extract = { en: ['(unclosed'] };
    expect(() => validateDefinition(broken, 'x.yaml')).toThrow(/not a valid regular expression/);
  });
  it('refuses checkComplete without a complete rule', () => {
    const def = structuredClone(base) as { steps: Record<string, unknown> };
    def.steps.c = { checkComplete: 'a', next: 'b' };
    expect(() => validateDefinition(def, 'x.yaml')).toThrow(/has no `complete` rule/);
  });
  it('every summary label of the shipped definition exists in every language', async () => {
    const { dialogs, t, locales } = await loadDialogs();
    for (const d of dialogs.values()) {
      for (const step of Object.values(d.definition.steps)) {
        const label = step.ask && 'label' in step.ask ? step.ask.label : undefined;
        if (label) for (const locale of locales) expect(t(locale, label), `${locale} ${label}`).not.toBe(label);
      }
    }
  });
});
