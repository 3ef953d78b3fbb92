import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { APP_TOKEN, BOT, type EmulatedMessage } from './emulator.js';
import { eventEnvelope, fixturesPresent, fromTemplate, MISSING, nextEventId } from './requests.js';
import { AGENT, SlackWorld, TRIAGE } from './world.js';

/** Socket Mode: the same app, reached over the emulator's WebSocket instead of signed HTTP requests. */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Slack Socket Mode (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: SlackWorld;
    beforeAll(async () => {
      world = await SlackWorld.start(kind, { SLACK_SOCKET_MODE: 'true', SLACK_APP_TOKEN: APP_TOKEN });
    });
    afterAll(async () => {
      await world?.close();
    });

    const socket = () => world.slack.socket;
    const dmEvent = (reporter: { id: string; dm: string }, text: string, eventId = nextEventId()) => {
      const ts = world.slack.userPost(reporter.dm, reporter.id, text);
      return eventEnvelope('MessagePayload.json', { type: 'message', channel: reporter.dm, user: reporter.id, text, ts, event_ts: ts, channel_type: 'im' }, eventId);
    };
    const click = (user: string, message: EmulatedMessage, actionId: string, value: string) =>
      fromTemplate('app-backend/interactive-components/BlockActionPayload.json', {
        type: 'block_actions',
        token: 'legacy-verification-token',
        api_app_id: 'A0FRONTLINE',
        team: { id: BOT.team, domain: 'emulated' },
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: BOT.team },
        trigger_id: `${Date.now()}.trigger`,
        container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
        channel: { id: message.channel, name: 'emulated' },
        message: { type: 'message', ts: message.ts, text: message.text },
        actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: String(Date.now() / 1000), text: { type: 'plain_text', text: value } }],
      });

    it('connects with the app token, reports healthy, and runs a DM report end to end; a card button works', async () => {
      expect(world.slack.callsOf('apps.connections.open').length).toBeGreaterThan(0);
      expect(socket().open).toBe(true);
      const ready = (await (await fetch(`${world.app.url}/readyz`)).json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
      expect(ready.checks['channel:slack']).toMatchObject({ ok: true, detail: 'socket mode' });

      const reporter = world.newReporter('Karin');
      const ack = await socket().deliver('events_api', dmEvent(reporter, 'The coffee machine app will not log me in'));
      expect(ack.envelope_id).toBeTruthy();
      const confirm = await world.expectPosted(/Shall I go ahead/, { channel: reporter.dm });
      await socket().deliver('interactive', click(reporter.id, confirm, 'frontline_choice_0', 'yes'));
      const filed = await world.expectPosted(/Your incident is INC-\d+/, { channel: reporter.dm });
      const number = /INC-\d+/.exec(filed.text)![0];

      const card = await eventually(async () => world.slack.botMessages(TRIAGE).find((m) => m.text.includes(number) && m.metadata), 10_000, 'the card');
      await socket().deliver('interactive', click(AGENT.id, card, 'card_take', number));
      await world.expectPosted(/status is now assigned/, { channel: reporter.dm });
      expect(await world.app.frontline.incidents.get(world.app.frontline.db.prisma, number)).toMatchObject({ assignee: AGENT.shown, status: 'assigned' });
    });

    it('/incident arrives as a slash_commands envelope and is acknowledged with the ephemeral answer', async () => {
      const reporter = world.newReporter('Leif');
      const command = Object.fromEntries(Object.entries(fromTemplate('app-backend/slash-commands/SlashCommandPayload.json', {
        token: 'legacy-verification-token', team_id: BOT.team, api_app_id: 'A0FRONTLINE', command: '/incident',
        user_id: reporter.id, user_name: 'leif', channel_id: 'C0GENERAL1', text: 'The scanner on floor 2 is offline', trigger_id: 'trig.socket',
      })).map(([k, v]) => [k, String(v)]));
      const ack = await socket().deliver('slash_commands', command);
      expect(JSON.stringify(ack.payload)).toMatch(/direct message/);
      await world.expectPosted(/scanner on floor 2 is offline.*Shall I go ahead/s, { channel: reporter.dm });
    });

    it('after Slack drops the socket (disconnect), the app reconnects and nothing is lost or doubled', async () => {
      const reporter = world.newReporter('Mona');
      const before = socket().connections;
      await socket().disconnect('refresh_requested');
      // Delivered while no socket is open: Slack holds it for the next connection.
      const acked = socket().deliver('events_api', dmEvent(reporter, 'Outlook search finds nothing since Monday'));
      await eventually(async () => socket().connections > before && socket().open, 15_000, 'a new connection');
      expect(world.slack.callsOf('apps.connections.open').length).toBeGreaterThanOrEqual(2);
      await acked;
      await world.expectPosted(/Outlook search finds nothing.*Shall I go ahead/s, { channel: reporter.dm });

      // A redelivery of the same event (Slack retries unacknowledged envelopes) is deduplicated by its key.
      const again = dmEvent(reporter, 'It also fails in the web version');
      await socket().deliver('events_api', again);
      await socket().deliver('events_api', again);
      const prisma = world.app.frontline.db.prisma;
      const count = (text: string) => prisma.message.count({ where: { direction: 'in', text } });
      await eventually(async () => (await count('It also fails in the web version')) > 0, 5_000, 'the second message');
      await new Promise((r) => setTimeout(r, 300));
      expect(await count('Outlook search finds nothing since Monday')).toBe(1);
      expect(await count('It also fails in the web version')).toBe(1);
      expect(socket().acks.length).toBe(socket().delivered.length);
    });
  });
}
