import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../helpers/databases.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { startGuidedApp, type GuidedApp } from '../dialog/app.js';

/** Issue #19.1: phishing with a typed password and ransomware are security incidents, P1/P2, without self-service. */
describe.each(DB_KINDS)('security reports over the web chat ($kind)', ({ kind, skip }) => {
  let t: GuidedApp;
  beforeAll(async () => {
    if (!skip) t = await startGuidedApp(kind);
  }, 60_000);
  afterAll(async () => t?.close());

  async function report(text: string, locale: string, prompts: { describe: RegExp; kind: RegExp; filed: RegExp; yes: string }) {
    const chat = await new WebchatClient(t.url).open(locale);
    await chat.expectReply(prompts.describe);
    await chat.send({ text });
    await chat.expectReply(prompts.kind);
    // Answer whatever is asked with the first option / "yes" until the incident is filed.
    for (let i = 0; i < 8; i++) {
      const last = chat.transcript.filter((m) => m.direction === 'out').at(-1)!;
      if (prompts.filed.test(last.text)) break;
      const count = chat.transcript.length;
      await (last.choices?.length ? chat.send({ choice: last.choices[0]!.id }) : chat.send({ text: prompts.yes }));
      await chat.expectReply(/./);
      for (let j = 0; j < 50 && chat.transcript.filter((m) => m.direction === 'out').length <= chat.transcript.slice(0, count).filter((m) => m.direction === 'out').length; j++) {
        await new Promise((r) => setTimeout(r, 100));
        await chat.poll();
      }
    }
    expect(chat.outTexts().join('\n')).not.toMatch(/These articles|De här artiklarna/);
    const incident = await t.frontline.db.prisma.incident.findFirst({ where: { originConversationId: chat.conversationId } });
    expect(incident).not.toBeNull();
    return incident!;
  }

  const EN = { describe: /What's the problem/, kind: /straight to the security team/, filed: /Your incident is INC-/, yes: 'yes' };
  const SV = { describe: /Vad är problemet/, kind: /direkt till säkerhetsteamet/, filed: /Ditt ärende är INC-/, yes: 'ja' };

  it.skipIf(skip)('a password confirmed through a phishing link (en, sv) → security, P2 or higher, confidential, Security Operations', async () => {
    for (const [text, locale, prompts] of [
      ["I got an email from 'Microsoft Support' asking me to confirm my password through a link and I clicked it", 'en', EN],
      ["Jag fick ett mejl från 'Microsoft Support' som bad mig bekräfta mitt lösenord via en länk och jag klickade på den", 'sv', SV],
    ] as const) {
      const incident = await report(text, locale, prompts);
      expect(incident).toMatchObject({ category: 'security', service: 'phishing', confidential: true, assignmentGroup: 'Security Operations' });
      expect(['P1', 'P2']).toContain(incident.priority);
    }
  });

  it.skipIf(skip)('ransomware signs → security malware, P1, confidential, no KB suggestions', async () => {
    const incident = await report('all files on the shared drive got renamed to .locked and there is a ransom note', 'en', EN);
    expect(incident).toMatchObject({ category: 'security', service: 'malware', confidential: true, priority: 'P1', assignmentGroup: 'Security Operations' });
  });
});
