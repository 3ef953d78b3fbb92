import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { fixturesPresent, MISSING } from './requests.js';
import { AGENT, RESTRICTED, SlackWorld, TRIAGE } from './world.js';

/** Issue #19.2: a correction to `confidential` re-applies the audience rules at once. */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Slack: reclassified incidents (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: SlackWorld;
    beforeAll(async () => {
      world = await SlackWorld.start(kind);
    });
    afterAll(async () => world?.close());

    const cardOf = (channel: string, incidentId: string) => world.slack.botMessages(channel).find((m) => m.metadata?.event_payload.incident_id === incidentId);

    it('PATCH confidential: the broad card becomes a details-free stub and a new card goes to the restricted channel', async () => {
      const { frontline, tokens, url } = world.app;
      const reporter = world.newReporter('Lena');
      const number = await world.reportByDm('My colleague is reading my private mail on the shared PC', reporter);
      const incident = (await frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) } }))!;
      const broad = await eventually(async () => cardOf(TRIAGE, incident.id), 10_000, 'card in the triage channel');
      expect(JSON.stringify(broad.attachments)).toContain('private mail');

      const res = await fetch(`${url}/api/v1/incidents/${number}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${tokens.agent}`, 'content-type': 'application/json' },
        body: JSON.stringify({ confidential: true, category: 'security' }),
      });
      expect(res.status).toBe(200);
      const moved = await eventually(async () => cardOf(RESTRICTED, incident.id), 10_000, 'card in the restricted channel');
      expect(JSON.stringify(moved.attachments)).toMatch(/Confidential incident/);
      await eventually(async () => !JSON.stringify(broad.attachments).includes('private mail') && broad.edits > 0, 10_000, 'broad card redacted');
      expect(JSON.stringify(broad.attachments)).toMatch(/Confidential incident/);
      await world.expectPosted(new RegExp(`${number} is now confidential: it continues in the restricted channel`), { channel: TRIAGE, threadTs: broad.ts });

      // Later changes go to the restricted card's thread, none to the broad channel.
      const broadCount = world.slack.botMessages(TRIAGE).length;
      await fetch(`${url}/api/v1/incidents/${number}`, { method: 'PATCH', headers: { authorization: `Bearer ${tokens.agent}`, 'content-type': 'application/json' }, body: JSON.stringify({ priority: 'P2' }) });
      await world.expectPosted(/priority P\d → P2/, { channel: RESTRICTED, threadTs: moved.ts });
      expect(world.slack.botMessages(TRIAGE).length).toBe(broadCount);
    });

    it('agents correct the category and the confidential flag from the card thread (AgentActions)', async () => {
      const { frontline } = world.app;
      const reporter = world.newReporter('Nils');
      const number = await world.reportByDm('The projector in room 5 shows no picture', reporter);
      const incident = (await frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) } }))!;
      const broad = await eventually(async () => cardOf(TRIAGE, incident.id), 10_000, 'card');
      await world.message(TRIAGE, AGENT.id, '!category hardware peripherals', { threadTs: broad.ts });
      await eventually(async () => (await frontline.db.prisma.incident.findUnique({ where: { id: incident.id } }))?.service === 'peripherals', 10_000, 'category corrected');
      await world.message(TRIAGE, AGENT.id, '!confidential', { threadTs: broad.ts });
      await eventually(async () => cardOf(RESTRICTED, incident.id), 10_000, 'card in the restricted channel');
      expect((await frontline.db.prisma.incident.findUnique({ where: { id: incident.id } }))?.confidential).toBe(true);
    });
  });
}
