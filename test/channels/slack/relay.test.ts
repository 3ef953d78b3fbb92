import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { WebchatClient } from '../../helpers/webchat-client.js';
import { fixturesPresent, MISSING } from './requests.js';
import { AGENT, OUTSIDER, REPORTER, REPORTER2, SlackWorld, TRIAGE } from './world.js';

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Slack relay end to end (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: SlackWorld;
    beforeAll(async () => {
      world = await SlackWorld.start(kind);
    });
    afterAll(async () => {
      await world?.close();
    });

    it('Slack DM reporter ↔ agents in the triage card thread, from filing to resolution', async () => {
      const { slack } = world;
      const number = await world.reportByDm('My VPN drops every ten minutes since this morning');

      // The card: in the triage channel, with the incident's data rendered from the database.
      const card = await world.card();
      expect(card.channel).toBe(TRIAGE);
      expect(card.text).toContain(number);
      const cardJson = JSON.stringify(card.attachments);
      expect(cardJson).toContain('My VPN drops every ten minutes');
      expect(cardJson).toContain('Erik (Slack)');
      expect(cardJson).toContain('card_take');

      // A non-agent cannot act; an agent takes it (the card updates in place, the reporter is told).
      await world.click(OUTSIDER.id, card, 'card_take', number);
      await eventually(async () => slack.callsOf('chat.postEphemeral').find((c) => c.args.user === OUTSIDER.id), 5_000, 'a refusal');
      await world.click(AGENT.id, card, 'card_take', number);
      await world.expectPosted(/status is now assigned/, { channel: REPORTER.dm });
      await eventually(async () => card.edits > 0 && JSON.stringify(card.attachments).includes(AGENT.shown), 5_000, 'the card edited with the assignee');
      await world.expectPosted(/assignee/, { channel: TRIAGE, threadTs: card.ts });

      // Agent reply in the thread → the reporter's DM, attributed to the agent.
      await world.message(TRIAGE, AGENT.id, 'Hi Erik, please restart the VPN client and tell me if it helps.', { threadTs: card.ts });
      const relayed = await world.expectPosted(/restart the VPN client/, { channel: REPORTER.dm });
      expect(relayed.text).toContain(AGENT.shown);
      expect(relayed.thread_ts).toBeUndefined();

      // The reporter answers in the DM → it appears in the card's thread.
      await world.dm('Restarted it, still dropping.');
      await world.expectPosted(/Erik\* \(Slack\): Restarted it, still dropping/, { channel: TRIAGE, threadTs: card.ts });

      // An internal note is stored but never relayed: a later public reply arrives, the note never does.
      await world.message(TRIAGE, AGENT.id, 'note: probably the Stockholm VPN concentrator again', { threadTs: card.ts });
      await world.message(TRIAGE, AGENT.id, 'We are looking at the VPN gateway now.', { threadTs: card.ts });
      await world.expectPosted(/looking at the VPN gateway/, { channel: REPORTER.dm });
      expect(slack.botMessages(REPORTER.dm).some((m) => m.text.includes('concentrator'))).toBe(false);
      const res = await fetch(`${world.app.url}/api/v1/incidents/${number}`, { headers: { authorization: `Bearer ${world.app.tokens.agent}` } });
      const { timeline } = (await res.json()) as { timeline: { type: string; internal: boolean; body: string | null; actor: string }[] };
      expect(timeline).toContainEqual(expect.objectContaining({ type: 'note', internal: true, body: 'probably the Stockholm VPN concentrator again', actor: AGENT.shown }));

      // Resolve: the button opens a modal; submitting it resolves and tells the reporter.
      await world.click(AGENT.id, card, 'card_resolve', number);
      const opened = await eventually(async () => slack.callsOf('views.open').at(-1), 5_000, 'the resolve modal');
      const view = JSON.parse(String(opened.args.view)) as { callback_id: string; private_metadata: string };
      expect(view.callback_id).toBe('frontline_resolve');
      await world.submitView(AGENT.id, view.callback_id, view.private_metadata, { resolution: { note: { type: 'plain_text_input', value: 'Replaced the VPN profile.' } } });
      await world.expectPosted(/status is now resolved/, { channel: REPORTER.dm });
      await eventually(async () => JSON.stringify(card.attachments).includes('Replaced the VPN profile') && !JSON.stringify(card.attachments).includes('card_take'), 5_000, 'the card showing the resolution');

      const incident = await world.app.frontline.incidents.get(world.app.frontline.db.prisma, number);
      expect(incident).toMatchObject({ status: 'resolved', assignee: AGENT.shown, resolution: 'Replaced the VPN profile.' });
    });

    it('thread commands act on the incident; unknown commands get help', async () => {
      const number = await world.reportByDm('Printer on floor 3 is jammed', REPORTER2);
      const card = await eventually(async () => world.slack.botMessages(TRIAGE).find((m) => m.text.includes(number) && m.metadata), 10_000, 'the card');
      await world.message(TRIAGE, AGENT.id, '!priority P2', { threadTs: card.ts });
      await world.message(TRIAGE, AGENT.id, '!pending', { threadTs: card.ts });
      await world.expectPosted(/waiting for your reply/, { channel: REPORTER2.dm });
      await world.message(TRIAGE, AGENT.id, '!frobnicate', { threadTs: card.ts });
      await eventually(async () => world.slack.callsOf('chat.postEphemeral').find((c) => String(c.args.text).includes('!resolve')), 5_000, 'command help');
      await world.message(TRIAGE, AGENT.id, '!resolve Cleared the jam', { threadTs: card.ts });
      await eventually(async () => (await world.app.frontline.incidents.get(world.app.frontline.db.prisma, number)).status === 'resolved', 5_000, 'resolved');
      const incident = await world.app.frontline.incidents.get(world.app.frontline.db.prisma, number);
      expect(incident).toMatchObject({ priority: 'P2', resolution: 'Cleared the jam' });
    });

    it('SLA milestones are announced in the card thread in words agents notice', async () => {
      const number = await world.reportByDm('Cannot open the finance app, error 500', REPORTER2);
      const card = await eventually(async () => world.slack.botMessages(TRIAGE).find((m) => m.text.includes(number) && m.metadata), 10_000, 'the card');
      const { incidents, pipeline } = world.app.frontline;
      await pipeline.transaction((tx) => incidents.recordSla(tx, number, 'warning', 'sla', new Date(), 'response'));
      await world.expectPosted(/First response due soon/, { channel: TRIAGE, threadTs: card.ts });
      await pipeline.transaction((tx) => incidents.recordSla(tx, number, 'breached', 'sla', new Date(), 'resolution'));
      await world.expectPosted(/Resolution SLA breached.*escalating/, { channel: TRIAGE, threadTs: card.ts });
    });

    it('a web chat reporter gets the agent’s thread reply, and their answer reaches the thread', async () => {
      const chat = await new WebchatClient(world.app.url).open();
      await chat.send({ text: 'Outlook keeps asking for my password' });
      await chat.expectReply(/Shall I go ahead/);
      await chat.send({ choice: 'yes' });
      const filed = await chat.expectReply(/Your incident is INC-\d+/);
      const number = /INC-\d+/.exec(filed.text)![0];
      const card = await eventually(async () => world.slack.botMessages(TRIAGE).find((m) => m.text.includes(number) && m.metadata), 10_000, 'the card');
      expect(JSON.stringify(card.attachments)).toContain('(web chat)');

      await world.message(TRIAGE, AGENT.id, 'Could you check whether your password expired today?', { threadTs: card.ts });
      const reply = await chat.expectReply(/password expired today/);
      expect(reply.author).toBe(`agent:${AGENT.shown}`);

      await chat.send({ text: 'Yes, it expired. I changed it and it works now.' });
      await world.expectPosted(/\(web chat\): Yes, it expired/, { channel: TRIAGE, threadTs: card.ts });
    });
  });
}
