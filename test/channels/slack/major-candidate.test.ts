import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { fixturesPresent, MISSING } from './requests.js';
import { AGENT, OUTSIDER, SlackWorld, TRIAGE } from './world.js';

/** Issue 13 §2: a major incident candidate is raised in the triage channel with a Declare button that works. */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Slack major incident candidate (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: SlackWorld;
    beforeAll(async () => {
      world = await SlackWorld.start(kind);
    }, 60_000);
    afterAll(async () => {
      await world?.close();
    });

    it('posts the candidate with a Declare button; an outsider’s click does nothing, an agent’s declares it', async () => {
      const file = (text: string) =>
        world.app.frontline.pipeline.transaction(async (tx) => {
          const reporter = await tx.contact.create({ data: { displayName: 'R' } });
          return world.app.frontline.incidents.create(tx, { title: text, description: text, reporterId: reporter.id });
        });
      const first = await file('The VPN is down, cannot connect from home');
      await file('VPN:en ligger nere, kan inte ansluta');
      await file('La VPN está caída, no puedo conectar');
      world.app.frontline.dispatcher.kick();
      const card = await eventually(async () => world.slack.botMessages(TRIAGE).find((m) => /Major incident candidate MI-\d+/.test(m.text) && m.blocks), 15_000, 'the candidate card');
      expect(card.text).toMatch(/3 report\(s\) on vpn/);
      const number = /MI-\d+/.exec(card.text)![0];
      expect(JSON.stringify(card.blocks)).toContain(`"value":"${number}"`);

      await world.click(OUTSIDER.id, card, 'mi_declare', number);
      await new Promise((r) => setTimeout(r, 500));
      const major = await world.app.frontline.db.prisma.majorIncident.findFirstOrThrow({ where: { number: Number(number.slice(3)) } });
      expect(major.status).toBe('candidate');

      await world.click(AGENT.id, card, 'mi_declare', number);
      const declared = await eventually(async () => {
        const m = await world.app.frontline.db.prisma.majorIncident.findUniqueOrThrow({ where: { id: major.id } });
        return m.status === 'declared' ? m : undefined;
      }, 10_000, 'the declaration');
      expect(declared.declaredBy).toBe(`slack:${AGENT.shown}`);
      await eventually(async () => world.slack.botMessages(TRIAGE).find((m) => m.text.includes(`${number} declared a major incident by ${AGENT.shown}`)), 10_000, 'the declaration line');

      // In an incident's card thread, agents unlink it from the major incident and link it back.
      const incidentCard = await eventually(async () => world.slack.botMessages(TRIAGE).find((m) => m.metadata?.event_payload.incident_id === first.id), 10_000, 'the incident card');
      const linkedTo = async () => (await world.app.frontline.db.prisma.incident.findUniqueOrThrow({ where: { id: first.id } })).majorIncidentId;
      await world.message(TRIAGE, AGENT.id, '!unlink', { threadTs: incidentCard.ts });
      await eventually(async () => (await linkedTo()) === null, 10_000, 'the unlink');
      await world.message(TRIAGE, AGENT.id, `!link ${number}`, { threadTs: incidentCard.ts });
      await eventually(async () => (await linkedTo()) === major.id, 10_000, 'the link');
    }, 60_000);
  });
}
