import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../channels/slack/adapter.js';
import { parseSlackSettings } from '../../../channels/slack/settings.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { BOT_TOKEN, SlackEmulator } from '../slack/emulator.js';
import { AGENT, SECRET as SLACK_SECRET, SlackWorld, TRIAGE } from '../slack/world.js';
import { age, fromExample, hasShared, MISSING, postWebhook, WhatsAppWorld } from './world.js';

/**
 * The agents work in Slack, the reporter on WhatsApp: a reply typed in the incident card's thread reaches the
 * reporter, and one typed after the 24-hour window closed goes out as the template while the agent is told so in
 * the same thread.
 */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !hasShared)(`a Slack agent and a WhatsApp reporter (${kind})${hasShared ? '' : ` — ${MISSING}`}`, () => {
    let slack: SlackEmulator;
    let world: WhatsAppWorld;
    let agents: SlackWorld;
    beforeAll(async () => {
      slack = await new SlackEmulator().start();
      slack.users.set(AGENT.id, { name: AGENT.name, email: AGENT.email });
      slack.usergroups.set('S0AGENTS1', [AGENT.id]);
      const adapter = new SlackAdapter(parseSlackSettings({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SLACK_SECRET,
        SLACK_API_URL: slack.url,
        SLACK_TRIAGE_CHANNELS: `default=${TRIAGE}`,
        SLACK_AGENT_GROUPS: 'S0AGENTS1',
        SLACK_AGENT_NAMES: `${AGENT.email}=${AGENT.shown}`,
      }));
      world = await WhatsAppWorld.start(kind, { channels: [adapter] });
      agents = new SlackWorld(world.app, slack, false);
    }, 120_000);
    afterAll(async () => {
      await world?.close();
      await slack?.stop();
    });

    it('thread replies reach WhatsApp; outside the window the agent reads that the template went out', async () => {
      const from = world.newReporter();
      await world.text(from, 'The VPN drops every few minutes since this morning');
      const confirm = await world.expectSent(from, /Shall I go ahead/);
      await world.tap(from, confirm, 'yes');
      const number = /INC-\d{6}/.exec(JSON.stringify((await world.expectSent(from, /Your incident is INC-\d{6}/)).body))![0];
      const card = await agents.card();
      expect(card.channel).toBe(TRIAGE);

      await agents.message(TRIAGE, AGENT.id, 'Please restart the VPN client.', { threadTs: card.ts });
      await world.expectSent(from, new RegExp(`^\\*${AGENT.shown.replace(/[()]/g, '\\$&')}\\* on ${number}: Please restart the VPN client\\.$`));

      await age(world, from, 25);
      await agents.message(TRIAGE, AGENT.id, 'Did the restart help?', { threadTs: card.ts });
      const template = await world.expectSent(from, /^template:frontline_reply$/);
      expect(template.body.template).toMatchObject({ name: 'frontline_reply', components: [{ parameters: [{ text: number }] }] });
      await agents.expectPosted(/outside WhatsApp's 24-h window: sent the 'frontline_reply' template, the text follows when the customer answers/, { channel: TRIAGE, threadTs: card.ts });

      // The reporter answers the template: the held reply follows.
      await postWebhook(world.app.url, fromExample('button_message.json', { from, patch: { context: { from: '15550783881', id: template.wamid }, button: { payload: 'Show me', text: 'Show me' } } }));
      await world.expectSent(from, /Did the restart help\?/);
    });
  });
}
