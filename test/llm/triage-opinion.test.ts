import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { fileIncident } from '../helpers/webchat-client.js';
import { type ChatRequest, FakeOpenAI } from '../support/fake-openai.js';

// Keyword rules find nothing in it (filed as "other"); a model reading it knows a printer.
const VAGUE = 'The big machine by the kitchen that makes paper copies shows a blinking orange light and error E-53';

function opinion(req: ChatRequest) {
  if (req.schemaName !== 'triage_opinion') return { source_language: 'en', translation: '' };
  return { category: 'hardware', service: 'printers', impact_cue: 'one_person', urgency_cue: 'soon', confident: true };
}

interface OpinionEvent { actor: string; internal: boolean; data: { source: string; applied: boolean; opinion: { category: string; service: string | null }; classifier: { source: string; category: string; confidence: number } } }

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip)(`triage second opinion (${kind})`, () => {
    const fake = new FakeOpenAI();
    let app: TestApp;
    beforeAll(async () => {
      await fake.start();
      fake.responder = opinion;
      app = await startTestApp(kind, { env: { LLM_BASE_URL: fake.url, LLM_MODEL: 'fake-triage', LLM_FEATURES: 'triage', LLM_MAX_RETRIES: '0', SLA_TIMERS_POLL_SECONDS: '0.5' } });
    }, 180_000);
    afterAll(async () => {
      await app?.close();
      await fake.stop();
    });

    const events = async (number: string) => {
      const incident = await app.frontline.incidents.get(app.frontline.db.prisma, number);
      return app.frontline.db.prisma.incidentEvent.findMany({ where: { incidentId: incident.id, type: 'triage_opinion' } }) as unknown as Promise<OpinionEvent[]>;
    };

    it('an unsure classification is re-filed from the taxonomy’s lists, recorded with its source; priority stays', async () => {
      const { number } = await fileIncident(app.url, VAGUE);
      const before = await app.frontline.incidents.get(app.frontline.db.prisma, number);
      expect(before.category ?? 'other').toBe('other');
      const [event] = await eventually(async () => ((await events(number)).length ? events(number) : undefined), 20_000, 'the opinion');
      expect(event).toMatchObject({ actor: 'llm:triage', internal: true, data: { source: 'llm', applied: true, opinion: { category: 'hardware', service: 'printers' }, classifier: { source: 'rules' } } });
      const after = await app.frontline.incidents.get(app.frontline.db.prisma, number);
      expect(after).toMatchObject({ category: 'hardware', service: 'printers', assignmentGroup: 'End-User Computing', priority: before.priority, impact: before.impact, urgency: before.urgency });
      // The model saw the taxonomy's closed list (no security: rules and signals decide that) and the report as data.
      const chat = fake.chats().find((c) => c.user.includes('E-53'))!;
      expect(chat.user).toContain('<data name="report">');
      expect(chat.system).not.toContain('E-53');
      expect((chat.schema as { properties: { category: { enum: string[] } } }).properties.category.enum).toEqual(['network', 'account_access', 'email_calendar', 'hardware', 'software', 'other']);
    });

    it('an agent’s own filing is never overwritten; each incident is asked once', async () => {
      const asked = fake.chats().length;
      fake.fail({ delayMs: 1_500 }, { delayMs: 1_500 }); // the agent re-files while the model thinks
      const { number: clear } = await fileIncident(app.url, 'My VPN client (GlobalProtect) disconnects every ten minutes');
      const { number: refiled } = await fileIncident(app.url, `${VAGUE} again, second one`);
      await app.frontline.pipeline.transaction((tx) => app.frontline.incidents.update(tx, refiled, { category: 'software', service: 'business_applications' }, 'api:agent'));
      const [event] = await eventually(async () => ((await events(refiled)).length ? events(refiled) : undefined), 20_000, 'the opinion');
      expect(event!.data.applied).toBe(false);
      expect(await app.frontline.incidents.get(app.frontline.db.prisma, refiled)).toMatchObject({ category: 'software', service: 'business_applications' });
      // Rules-only triage is always "unsure": the clear report is asked too (the scripted model re-files it).
      const clearEvents = await eventually(async () => ((await events(clear)).length ? events(clear) : undefined), 20_000, 'the opinion on the clear report');
      expect(clearEvents[0]!.data).toMatchObject({ applied: true, opinion: { category: 'hardware' } });
      expect(clearEvents[0]!.data.classifier.source).toBe('rules');
      expect(fake.chats().length).toBe(asked + 2);
    });
  });
}
