import { afterEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../channels/slack/adapter.js';
import { parseSlackSettings } from '../../../channels/slack/settings.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { BOT_TOKEN, SlackEmulator } from '../slack/emulator.js';
import { SECRET, TRIAGE } from '../slack/world.js';
import { WebWorld } from './world.js';

const OPS_ROOM = 'C0OPSROOM1';

/**
 * WhatsApp Web's operator alerts through a real Slack adapter talking to the local Slack Web API emulator:
 * an explicit `slack:<channel id>` target, and the default (the triage channel) when WHATSAPP_WEB_ALERT_TO is empty.
 */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip)(`WhatsApp Web alerts in Slack (${kind})`, () => {
    let world: WebWorld | undefined;
    let slack: SlackEmulator | undefined;
    afterEach(async () => {
      await world?.close();
      await slack?.stop();
      world = undefined;
      slack = undefined;
    });

    const start = async (alertTo: string) => {
      slack = await new SlackEmulator().start();
      const adapter = new SlackAdapter(parseSlackSettings({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url, SLACK_TRIAGE_CHANNELS: `Network=C0NETWORK1,default=${TRIAGE}` }));
      world = await WebWorld.start(kind, { env: { WHATSAPP_WEB_ALERT_TO: alertTo }, extraChannels: [adapter] });
      await eventually(async () => world!.clients.length > 0, 10_000, 'a client');
      // A first QR code means nobody is linked: the supervisor alerts the operators once.
      world.client.emit('qr', '2@scanme');
      return slack;
    };

    it('an empty WHATSAPP_WEB_ALERT_TO alerts the Slack triage channel (its default entry)', async () => {
      const emulator = await start('');
      const alert = await eventually(async () => emulator.botMessages(TRIAGE).find((m) => /QR scan/.test(m.text)), 10_000, 'the alert in the triage channel');
      expect(alert.thread_ts).toBeUndefined(); // a top-level message, not inside some card's thread
      expect(emulator.botMessages().filter((m) => /QR scan/.test(m.text))).toHaveLength(1);
      expect(world!.ops.sent).toEqual([]); // a channel without a default place is not picked
    });

    it('a slack:<channel id> target reaches that channel and nothing else', async () => {
      const emulator = await start(`slack:${OPS_ROOM},ops:helpdesk-admins`);
      await eventually(async () => emulator.botMessages(OPS_ROOM).find((m) => /QR scan/.test(m.text)), 10_000, 'the alert in the ops room');
      await eventually(async () => world!.ops.sent.find((s) => /QR scan/.test(s.text)), 10_000, 'the alert in the other target');
      expect(emulator.botMessages(TRIAGE)).toEqual([]);
    });
  });
}
