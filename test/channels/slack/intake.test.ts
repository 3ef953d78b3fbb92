import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { BOT } from './emulator.js';
import { eventEnvelope, fixturesPresent, interactivityBody, MISSING, nextEventId, postToSlackEndpoint, slashCommandBody } from './requests.js';
import { AGENT, NETWORK, RESTRICTED, SECRET, SlackWorld, TRIAGE } from './world.js';

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Slack intake and cards (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: SlackWorld;
    beforeAll(async () => {
      world = await SlackWorld.start(kind);
    });
    afterAll(async () => {
      await world?.close();
    });

    it('an @mention starts the dialog in a thread under it; plain replies in that thread continue it', async () => {
      const sara = world.newReporter('Sara');
      const channel = 'C0GENERAL1';
      const text = `<@${BOT.userId}> the wifi in room 4.12 is down`;
      const ts = world.slack.userPost(channel, sara.id, text);
      const mention = eventEnvelope('AppMentionPayload.json', { type: 'app_mention', user: sara.id, text, ts, channel, event_ts: ts });
      expect((await postToSlackEndpoint(world.app.url, mention, { secret: SECRET })).status).toBe(200);
      // Slack also delivers the same message as a `message` event: it must not start a second dialog.
      await world.message(channel, sara.id, text, { ts });
      const confirm = await world.expectPosted(/the wifi in room 4\.12 is down.*Shall I go ahead/, { channel, threadTs: ts });
      expect(confirm.text).not.toContain(BOT.userId); // the mention is stripped
      await world.message(channel, sara.id, 'no', { threadTs: ts });
      await world.expectPosted(/describe the problem again/, { channel, threadTs: ts });
      expect(world.slack.botMessages(channel).filter((m) => /Shall I go ahead/.test(m.text))).toHaveLength(1);
      expect(world.slack.botMessages(channel).every((m) => m.thread_ts === ts)).toBe(true);
    });

    it('/incident with text and the "Report as incident" shortcut (with permalink) start a DM dialog; App Home lists open incidents', async () => {
      const jon = world.newReporter('Jon');
      const res = await postToSlackEndpoint(world.app.url, slashCommandBody({ user_id: jon.id, user_name: 'jon', channel_id: 'C0GENERAL1', text: 'Excel crashes on open', trigger_id: 'trig.1' }), { secret: SECRET });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { text: string }).text).toMatch(/direct message/);
      const confirm = await world.expectPosted(/Excel crashes on open.*Shall I go ahead/, { channel: jon.dm });
      await world.click(jon.id, confirm, 'frontline_choice_0', 'yes');
      await world.expectPosted(/Your incident is INC-/, { channel: jon.dm });
      // The question is marked answered so nobody clicks twice.
      await eventually(async () => JSON.stringify(confirm.blocks ?? []).includes('You answered'), 5_000, 'question marked answered');

      const kim = world.newReporter('Kim');
      const original = world.slack.userPost('C0GENERAL1', 'UOTHER001', 'The build server is out of disk again');
      const shortcut = interactivityBody('app-backend/interactive-components/MessageShortcutPayload.json', {
        type: 'message_action', callback_id: 'report_as_incident', trigger_id: 'trig.2', message_ts: original, action_ts: String(Date.now() / 1000),
        user: { id: kim.id, name: 'kim' }, channel: { id: 'C0GENERAL1', name: 'general' },
        message: { type: 'message', user: 'UOTHER001', text: 'The build server is out of disk again', ts: original },
      });
      expect((await postToSlackEndpoint(world.app.url, shortcut, { secret: SECRET })).status).toBe(200);
      const quoted = await world.expectPosted(/build server is out of disk.*archives\/C0GENERAL1\/p.*Shall I go ahead/s, { channel: kim.dm });
      expect(quoted).toBeTruthy();

      const home = eventEnvelope('AppHomeOpenedPayload.json', { type: 'app_home_opened', user: jon.id, channel: jon.dm, tab: 'home', event_ts: String(Date.now() / 1000) });
      await postToSlackEndpoint(world.app.url, home, { secret: SECRET });
      const published = await eventually(async () => world.slack.callsOf('views.publish').find((c) => c.args.user_id === jon.id), 5_000, 'App Home published');
      expect(String(published.args.view)).toMatch(/Excel crashes on open/);
      expect(String(published.args.view)).toMatch(/resolution due/);
    });

    it('edits are re-sent as a correction', async () => {
      const eva = world.newReporter('Eva');
      const { ts } = await world.dm('My monitr flickers', eva);
      await world.expectPosted(/monitr flickers.*Shall I go ahead/, { channel: eva.dm });
      const edit = eventEnvelope('MessageChangedPayload.json', {
        type: 'message', subtype: 'message_changed', channel: eva.dm, channel_type: 'im', ts: String(Number(ts) + 5), event_ts: String(Number(ts) + 5),
        message: { type: 'message', user: eva.id, text: 'My monitor flickers', ts, edited: { user: eva.id, ts: String(Number(ts) + 5) } },
        previous_message: { type: 'message', user: eva.id, text: 'My monitr flickers', ts },
      });
      await postToSlackEndpoint(world.app.url, edit, { secret: SECRET });
      const { rows } = await eventually(async () => {
        const r = await world.app.frontline.db.pool.query<{ text: string }>(`SELECT text FROM message WHERE direction = 'in' AND text LIKE 'Correction:%'`);
        return r.rows.length ? r : undefined;
      }, 5_000, 'the correction');
      expect(rows[0]!.text).toBe('Correction: My monitor flickers');
    });

    it('cards go to the assignment group’s channel; confidential incidents only to the restricted channel, without details', async () => {
      const { frontline } = world.app;
      const ida = world.newReporter('Ida');
      await world.dm('hello', ida);
      await world.expectPosted(/What's the problem/, { channel: ida.dm });
      const { rows } = await frontline.db.pool.query<{ contact_id: string; id: string }>(`SELECT contact_id::text, id::text FROM conversation WHERE thread_key = $1`, [`slack:${BOT.team}:${ida.dm}`]);
      const reporterId = rows[0]!.contact_id;
      const originConversationId = rows[0]!.id;
      const network = await frontline.pipeline.transaction((tx) => frontline.incidents.create(tx, { title: 'Switch in rack B down', description: 'rack B', reporterId, assignmentGroup: 'network' }));
      const secret = await frontline.pipeline.transaction((tx) => frontline.incidents.create(tx, { title: 'Manager reads my mail', description: 'Very sensitive details here', reporterId, originConversationId, confidential: true }));
      frontline.dispatcher.kick();
      const networkCard = await eventually(async () => world.slack.botMessages(NETWORK).find((m) => m.metadata?.event_payload.incident_id === network.id), 5_000, 'network card');
      expect(JSON.stringify(networkCard.attachments)).toContain('Switch in rack B down');
      const secretCard = await eventually(async () => world.slack.botMessages(RESTRICTED).find((m) => m.metadata?.event_payload.incident_id === secret.id), 5_000, 'restricted card');
      const everything = JSON.stringify(world.slack.botMessages());
      expect(everything).not.toContain('Manager reads my mail');
      expect(everything).not.toContain('Very sensitive');
      expect(JSON.stringify(secretCard.attachments)).toMatch(/Confidential incident/);
      expect(world.slack.botMessages(TRIAGE).some((m) => m.metadata?.event_payload.incident_id === secret.id)).toBe(false);

      // An agent's thread reply to the confidential card still reaches the reporter.
      await world.message(RESTRICTED, AGENT.id, 'I will call you in private.', { threadTs: secretCard.ts });
      await world.expectPosted(/call you in private/, { channel: ida.dm });
    });

    it('ignores bot messages, joins and other subtypes', async () => {
      const before = world.slack.botMessages().length;
      for (const event of [
        { type: 'message', subtype: 'channel_join', channel: TRIAGE, user: 'UOTHER001', text: 'has joined', ts: '1700009999.000001' },
        { type: 'message', channel: 'D0SOMEBOT', channel_type: 'im', bot_id: 'B0OTHER', text: 'beep', ts: '1700009999.000002' },
      ]) {
        expect((await postToSlackEndpoint(world.app.url, eventEnvelope('MessagePayload.json', event, nextEventId()), { secret: SECRET })).status).toBe(200);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(world.slack.botMessages().length).toBe(before);
    });
  });
}
