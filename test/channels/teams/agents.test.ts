import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import type { PostedActivity } from './connector.js';
import { BOT, fixturesPresent, type Json, MISSING, TeamsWorld, TENANT } from './world.js';

const TRIAGE = '19:triage@thread.tacv2';
const NETWORK = '19:network@thread.tacv2';
const RESTRICTED = '19:restricted@thread.tacv2';
const inc = (n: number) => `INC-${String(n).padStart(6, '0')}`;

/** Teams as the agents' workspace: triage card, card buttons, relay both ways through the card's reply chain. */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Teams triage cards (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: TeamsWorld;
    beforeAll(async () => {
      world = await TeamsWorld.start(kind, { TEAMS_TRIAGE_CHANNELS: `default=${TRIAGE},network=${NETWORK}`, TEAMS_RESTRICTED_CHANNEL: RESTRICTED });
    }, 60_000);
    afterAll(async () => world?.close());

    /** An activity from an agent in the card's reply chain (a click when `value`, else an @mention reply). */
    const inChain = (card: PostedActivity, agent: { id: string; name: string }, extra: Json) => world.post({
      type: 'message', id: `${Date.now()}${Math.floor(Math.random() * 1000)}`, channelId: 'msteams', serviceUrl: world.connector.url, timestamp: new Date().toISOString(),
      from: { id: agent.id, name: agent.name }, recipient: BOT,
      conversation: { id: `${TRIAGE};messageid=${card.id}`, conversationType: 'channel', isGroup: true, tenantId: TENANT },
      channelData: { channel: { id: TRIAGE }, team: { id: TRIAGE }, tenant: { id: TENANT } },
      replyToId: card.id, ...extra,
    });
    const mention = (text: string) => ({ text: `<at>${BOT.name}</at> ${text}`, entities: [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }] });

    it('a filed incident posts a card; Take edits it in place; an agent reply reaches the reporter, a note does not; the reporter\'s follow-up lands in the chain', async () => {
      const erik = world.newUser('Erik');
      const chat = world.personalConversation(erik);
      await world.dm(erik, 'The VPN drops every ten minutes');
      await world.click(erik, await world.expectPosted(/Shall I go ahead/, chat), 'yes');
      const filed = await world.expectPosted(/Your incident is INC-\d+/, chat);
      const number = /INC-\d+/.exec(filed.activity.text!)![0];

      const card = await eventually(async () => world.connector.posted.find((p) => p.conversationId === TRIAGE && p.kind === 'send' && JSON.stringify(p.activity).includes(number)), 10_000, 'triage card');
      expect(JSON.stringify(card.activity.attachments)).toMatch(/The VPN drops every ten minutes/);
      const maria = { id: '29:agent-maria', name: 'Maria' };

      expect((await inChain(card, maria, { value: { frontline: 'agent', action: 'take', number } })).status).toBe(200);
      await eventually(async () => (await world.app.frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) } }))?.assignee === 'Maria', 5_000, 'assigned');
      await eventually(async () => world.connector.posted.find((p) => p.kind === 'update' && p.activityId === card.id && JSON.stringify(p.activity).includes('Maria')), 5_000, 'card edited in place');

      await inChain(card, maria, mention('Please restart the VPN client and tell me if it helps.'));
      await world.expectPosted(/Maria[\s\S]*Please restart the VPN client/, chat);
      await inChain(card, maria, mention('note: probably the 5.2 client bug'));
      const note = await eventually(async () => world.app.frontline.db.prisma.incidentEvent.findFirst({ where: { type: 'note', actor: 'Maria' } }), 5_000, 'internal note stored');
      expect(note.body).toBe('probably the 5.2 client bug');
      await new Promise((r) => setTimeout(r, 300));
      expect(world.connector.messages(chat).some((m) => /5\.2 client bug/.test(m.activity.text ?? ''))).toBe(false);

      // A redelivered click changes nothing; Resolve through the card's form reaches the reporter.
      const take = { value: { frontline: 'agent', action: 'take', number }, id: 'click-take-1' };
      await inChain(card, { id: '29:agent-olle', name: 'Olle' }, take);
      await inChain(card, { id: '29:agent-olle', name: 'Olle' }, take);
      await world.dm(erik, 'Restarted, it still drops');
      await world.expectPosted(/Erik:\*\* Restarted, it still drops/, `${TRIAGE};messageid=${card.id}`);
      expect(world.connector.messages(`${TRIAGE};messageid=${card.id}`).filter((m) => /Olle: assignee/.test(m.activity.text ?? ''))).toHaveLength(1);
      await inChain(card, maria, { value: { frontline: 'agent', action: 'resolve', number, resolution: 'Installed VPN client 5.3' } });
      await world.expectPosted(/status is now resolved/, chat);
      expect(await world.app.frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) } })).toMatchObject({ status: 'resolved', resolution: 'Installed VPN client 5.3' });
    });

    it('SLA milestones show in the card\'s chain in words agents notice; a resolution\'s wording and description edits are not copied', async () => {
      const vera = world.newUser('Vera');
      const chat = world.personalConversation(vera);
      await world.dm(vera, 'The finance app answers error 500');
      await world.click(vera, await world.expectPosted(/Shall I go ahead/, chat), 'yes');
      const number = /INC-\d+/.exec((await world.expectPosted(/Your incident is INC-\d+/, chat)).activity.text!)![0];
      const card = await eventually(async () => world.connector.posted.find((p) => p.conversationId === TRIAGE && p.kind === 'send' && JSON.stringify(p.activity).includes(number)), 10_000, 'triage card');
      const { incidents, pipeline } = world.app.frontline;
      await pipeline.transaction((tx) => incidents.recordSla(tx, number, 'warning', 'sla', new Date(), 'response'));
      await world.expectPosted(/First response due soon\*\* \(P\d\): reply in this chain/, `${TRIAGE};messageid=${card.id}`);
      await pipeline.transaction((tx) => incidents.recordSla(tx, number, 'breached', 'sla', new Date(), 'resolution'));
      await world.expectPosted(/Resolution SLA breached/, `${TRIAGE};messageid=${card.id}`);
      await pipeline.transaction((tx) => incidents.update(tx, number, { description: 'The finance app answers error 500 since 9:00 for everyone in Oslo' }, 'api:ops'));
      await world.expectPosted(/ops: description edited/, `${TRIAGE};messageid=${card.id}`);
      expect(world.connector.messages(`${TRIAGE};messageid=${card.id}`).some((m) => /since 9:00/.test(m.activity.text ?? ''))).toBe(false);
    });

    it('cards go to the assignment group\'s channel; confidential incidents only to the restricted channel, without details', async () => {
      const { frontline } = world.app;
      const ida = world.newUser('Ida');
      await world.dm(ida, 'hello');
      await world.expectPosted(/What's the problem/, world.personalConversation(ida));
      const { rows } = await frontline.db.pool.query<{ contact_id: string; id: string }>(`SELECT contact_id::text, id::text FROM conversation WHERE thread_key = $1`, [`teams:${world.personalConversation(ida)}`]);
      const reporterId = rows[0]!.contact_id;
      const network = await frontline.pipeline.transaction((tx) => frontline.incidents.create(tx, { title: 'Switch in rack B down', description: 'rack B', reporterId, assignmentGroup: 'network' }));
      const secret = await frontline.pipeline.transaction((tx) => frontline.incidents.create(tx, { title: 'Manager reads my mail', description: 'Very sensitive details here', reporterId, originConversationId: rows[0]!.id, confidential: true }));
      frontline.dispatcher.kick();
      const networkCard = await eventually(async () => world.connector.posted.find((p) => p.conversationId === NETWORK && JSON.stringify(p.activity).includes(inc(network.number))), 5_000, 'network card');
      expect(JSON.stringify(networkCard.activity)).toContain('Switch in rack B down');
      const secretCard = await eventually(async () => world.connector.posted.find((p) => p.conversationId === RESTRICTED && JSON.stringify(p.activity).includes(inc(secret.number))), 5_000, 'restricted card');
      expect(JSON.stringify(secretCard.activity)).toMatch(/Confidential incident/);
      const everything = JSON.stringify(world.connector.posted);
      expect(everything).not.toContain('Manager reads my mail');
      expect(everything).not.toContain('Very sensitive');
      expect(world.connector.posted.some((p) => p.conversationId.startsWith(TRIAGE) && JSON.stringify(p.activity).includes(inc(secret.number)))).toBe(false);
    });
  });
}
