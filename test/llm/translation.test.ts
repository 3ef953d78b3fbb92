import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { fixturesPresent, MISSING } from '../channels/slack/requests.js';
import { AGENT, SlackWorld, TRIAGE } from '../channels/slack/world.js';
import { type ChatRequest, FakeOpenAI } from '../support/fake-openai.js';

const REPORT = 'Skrivaren på tredje våningen skriver inte ut och lampan blinkar rött hela tiden';
const FOLLOW_UP = 'Jag har startat om skrivaren men lampan blinkar fortfarande rött';
const AGENT_REPLY = 'Please switch the printer off for a minute and check the paper tray.';
const NOTE = 'note: the toner supplier is late again, do not tell the reporter';

/** A scripted translator: the phrases of this test in both directions, anything else "already in the target language". */
const PHRASES: Record<string, { lang: string; en?: string; sv?: string }> = {
  [REPORT]: { lang: 'sv', en: 'The printer on the third floor does not print and the light keeps blinking red' },
  [FOLLOW_UP]: { lang: 'sv', en: 'I restarted the printer but the light is still blinking red' },
  [AGENT_REPLY]: { lang: 'en', sv: 'Stäng av skrivaren en minut och kontrollera pappersfacket.' },
};
function translator(req: ChatRequest) {
  const to = /into \w+ \((\w\w)\)/.exec(req.system)?.[1] ?? 'en';
  const text = /<data name="text">\n([\s\S]*)\n<\/data>/.exec(req.user)?.[1] ?? '';
  const known = PHRASES[text];
  if (!known) return { source_language: to, translation: text };
  return { source_language: known.lang, translation: (known as Record<string, string | undefined>)[to] ?? text };
}

async function reportByWebchat(world: SlackWorld): Promise<{ chat: WebchatClient; number: string; cardTs: string }> {
  const chat = await new WebchatClient(world.app.url).open();
  await chat.send({ text: REPORT });
  await chat.expectReply(/Ska jag göra det\?/);
  await chat.send({ choice: 'yes' });
  const filed = await chat.expectReply(/Ditt ärende är INC-\d+/);
  const number = /INC-\d+/.exec(filed.text)![0];
  const card = await eventually(async () => world.slack.botMessages(TRIAGE).find((m) => m.text.includes(number) && m.metadata), 10_000, 'the card');
  return { chat, number, cardTs: card.ts };
}

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`two-way translation between a Swedish web chat reporter and the Slack thread (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    const fake = new FakeOpenAI();
    let world: SlackWorld;
    beforeAll(async () => {
      await fake.start();
      fake.responder = translator;
      world = await SlackWorld.start(kind, {}, { appEnv: { LLM_BASE_URL: fake.url, LLM_MODEL: 'fake-translator', LLM_FEATURES: 'translate', LLM_MAX_RETRIES: '0', AGENT_LANGUAGE: 'en' } });
    }, 180_000);
    afterAll(async () => {
      await world?.close();
      await fake.stop();
    });

    it('the report and the reporter’s answers appear translated in the thread; the agent’s reply reaches the reporter in Swedish with the original', async () => {
      const { chat, number, cardTs } = await reportByWebchat(world);
      await world.expectPosted(/^_Machine translation \(sv → en\):_ The printer on the third floor does not print/, { channel: TRIAGE, threadTs: cardTs });

      await chat.send({ text: FOLLOW_UP });
      const line = await world.expectPosted(/\(web chat\): Jag har startat om skrivaren/, { channel: TRIAGE, threadTs: cardTs });
      expect(line.text).toContain(`${FOLLOW_UP}\n_Machine translation (sv → en):_ I restarted the printer but the light is still blinking red`);

      await world.message(TRIAGE, AGENT.id, NOTE, { threadTs: cardTs });
      await world.message(TRIAGE, AGENT.id, AGENT_REPLY, { threadTs: cardTs });
      const reply = await chat.expectReply(/Stäng av skrivaren/);
      expect(reply.text).toContain(`${number}: Stäng av skrivaren en minut och kontrollera pappersfacket.\n\nMaskinöversatt. Original:\n${AGENT_REPLY}`);
      expect(reply.author).toBe(`agent:${AGENT.shown}`);

      // The internal note was neither relayed nor sent to the model.
      const transcript = await chat.poll();
      expect(transcript.some((m) => m.text.includes('toner supplier'))).toBe(false);
      expect(JSON.stringify(fake.requests)).not.toContain('toner supplier');
      // Each translation is one recorded call against the incident (a retried send would reuse the stored one).
      const { rows } = await world.app.frontline.db.pool.query<{ feature: string; n: number }>(
        `SELECT feature, count(*)::int AS n FROM llm_call c JOIN incident i ON i.id = c.incident_id WHERE i.number = $1 AND ok GROUP BY feature`,
        [Number(number.slice(4))],
      );
      expect(rows).toEqual([{ feature: 'translate', n: 3 }]);
      const ready = (await (await fetch(`${world.app.url}/readyz`)).json()) as { checks: Record<string, { ok: boolean; detail: string }> };
      expect(ready.checks.llm).toEqual({ ok: true, detail: 'llm ok (fake-translator)' });
    });
  });

  describe.skipIf(skip || !fixturesPresent)(`the same flow with the model server down (${kind})`, () => {
    let world: SlackWorld;
    beforeAll(async () => {
      const gone = await new FakeOpenAI().start();
      const url = gone.url;
      await gone.stop(); // nothing listens there any more: connection refused
      world = await SlackWorld.start(kind, {}, { appEnv: { LLM_BASE_URL: url, LLM_MODEL: 'fake-translator', LLM_FEATURES: 'translate', LLM_MAX_RETRIES: '0', LLM_BREAKER_FAILURES: '2' } });
    }, 180_000);
    afterAll(async () => {
      await world?.close();
    });

    it('works untranslated, and /readyz stays ready but says "llm degraded"', async () => {
      const { chat, cardTs } = await reportByWebchat(world);
      await chat.send({ text: FOLLOW_UP });
      const line = await world.expectPosted(/\(web chat\): Jag har startat om skrivaren/, { channel: TRIAGE, threadTs: cardTs });
      expect(line.text).not.toContain('Machine translation');
      await world.message(TRIAGE, AGENT.id, AGENT_REPLY, { threadTs: cardTs });
      const reply = await chat.expectReply(/switch the printer off/);
      expect(reply.text).not.toContain('Maskinöversatt');
      expect(world.slack.botMessages(TRIAGE).some((m) => m.text.includes('Machine translation'))).toBe(false);

      const res = await fetch(`${world.app.url}/readyz`);
      expect(res.status).toBe(200);
      const ready = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; detail: string }> };
      expect(ready.status).toBe('ready');
      expect(ready.checks.llm!.ok).toBe(true);
      expect(ready.checks.llm!.detail).toMatch(/^llm degraded: translate skipped for \d+ s after 2 failures \(connection/);
    });
  });
}
