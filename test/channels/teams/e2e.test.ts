import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../channels/slack/adapter.js';
import { parseSlackSettings } from '../../../channels/slack/settings.js';
import { importKb } from '../../../src/kb/import.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { BOT_TOKEN, SlackEmulator } from '../slack/emulator.js';
import { fixturesPresent as slackFixturesPresent, MISSING as SLACK_MISSING } from '../slack/requests.js';
import { AGENT, SECRET, SlackWorld, TRIAGE as SLACK_TRIAGE } from '../slack/world.js';
import type { PostedActivity } from './connector.js';
import { BOT, buttonTitles, fixturesPresent, type Json, MISSING, TeamsWorld, TENANT, type TeamsUser } from './world.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const TEAMS_TRIAGE = '19:servicedesk@thread.tacv2';
const present = fixturesPresent && slackFixturesPresent;

/**
 * Issue 11 "Must show", end to end: a 1:1 Teams reporter walks the guided dialog with card buttons and files an
 * incident; the agent works it either from the Teams triage card's reply chain or from the Slack card's thread
 * (both workspaces run at once, each card kept in step); the reply and the resolution with CSAT buttons reach
 * the reporter's Teams chat. Real Teams activities against a fake Bot Connector, signed Slack events against
 * the Slack Web API emulator.
 */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !present)(`Teams reporter, agents in Teams and Slack (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}${slackFixturesPresent ? '' : ` — ${SLACK_MISSING}`}`, () => {
    let world: TeamsWorld;
    let slack: SlackWorld;
    let emulator: SlackEmulator;
    beforeAll(async () => {
      emulator = await new SlackEmulator().start();
      emulator.users.set(AGENT.id, { name: AGENT.name, email: AGENT.email });
      emulator.usergroups.set('S0AGENTS1', [AGENT.id]);
      const slackAdapter = new SlackAdapter(parseSlackSettings({
        SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: emulator.url,
        SLACK_TRIAGE_CHANNELS: `default=${SLACK_TRIAGE}`, SLACK_AGENT_GROUPS: 'S0AGENTS1', SLACK_AGENT_NAMES: `${AGENT.email}=${AGENT.shown}`,
      }));
      world = await TeamsWorld.start(kind, { TEAMS_TRIAGE_CHANNELS: `default=${TEAMS_TRIAGE}` }, { appEnv: { FRONTLINE_DIALOG: 'report-guided' }, channels: [slackAdapter] });
      slack = new SlackWorld(world.app, emulator, false);
      await importKb(world.app.frontline.db, path.join(REPO_ROOT, 'kb'));
    }, 90_000);
    afterAll(async () => {
      await world?.close();
      await emulator?.stop();
    });

    /** The guided VPN report with card buttons; returns the incident number. */
    async function guidedReport(u: TeamsUser): Promise<string> {
      const chat = world.personalConversation(u);
      expect((await world.dm(u, 'My VPN is stuck on connecting and times out')).status).toBe(200);
      await world.click(u, await world.expectPosted(/These articles might solve it/, chat), 'none');
      await world.click(u, await world.expectPosted(/Where are you connecting from/, chat), 'home');
      await world.expectPosted(/Do other websites/, chat);
      await world.dm(u, 'yes');
      await world.click(u, await world.expectPosted(/Who is affected/, chat), 'me');
      await world.click(u, await world.expectPosted(/Can you work/, chat), 'hard');
      await world.click(u, await world.expectPosted(/Priority: P4/, chat), 'yes');
      const filed = await world.expectPosted(/Your incident is INC-\d{6}/, chat);
      return /INC-\d{6}/.exec(filed.activity.text!)![0];
    }

    /** The Teams card once posted and recorded (replies in its chain are matched to the incident by that record). */
    const teamsCard = (number: string) => eventually(async () => {
      const card = world.connector.posted.find((p) => p.conversationId === TEAMS_TRIAGE && p.kind === 'send' && JSON.stringify(p.activity).includes(number));
      const recorded = card && (await world.app.frontline.db.prisma.channelState.findUnique({ where: { channel_key: { channel: 'teams', key: `card-of:${card.id}` } } }));
      return recorded ? card : undefined;
    }, 10_000, `the Teams card of ${number}`);
    const slackCard = (number: string) => eventually(async () => emulator.botMessages(SLACK_TRIAGE).find((m) => m.metadata?.event_type === 'frontline_card' && m.text.includes(number)), 10_000, `the Slack card of ${number}`);
    /** The latest version of the Teams card (its last in-place edit, or the post itself). */
    const teamsCardNow = (card: PostedActivity) => JSON.stringify([...world.connector.posted].reverse().find((p) => p.kind === 'update' && p.activityId === card.id)?.activity ?? card.activity);

    const inTeamsChain = (card: PostedActivity, agent: { id: string; name: string; aadObjectId?: string }, extra: Json) => world.post({
      type: 'message', id: `${Date.now()}${Math.floor(Math.random() * 1000)}`, channelId: 'msteams', serviceUrl: world.connector.url, timestamp: new Date().toISOString(),
      from: agent, recipient: BOT,
      conversation: { id: `${TEAMS_TRIAGE};messageid=${card.id}`, conversationType: 'channel', isGroup: true, tenantId: TENANT },
      channelData: { channel: { id: TEAMS_TRIAGE }, team: { id: TEAMS_TRIAGE }, tenant: { id: TENANT } },
      replyToId: card.id, ...extra,
    });

    it('the agent replies and resolves from the Teams card\'s reply chain: the reply and the resolution with CSAT buttons reach the 1:1 chat; the Slack card follows', async () => {
      const erik = world.newUser('Erik');
      const chat = world.personalConversation(erik);
      const number = await guidedReport(erik);
      const card = await teamsCard(number);
      await slackCard(number);

      const maria = { id: '29:agent-maria', name: 'Maria', aadObjectId: '00000000-0000-4000-8000-0000000a0001' };
      await inTeamsChain(card, maria, { text: `<at>${BOT.name}</at> Please reinstall the VPN client from the portal.`, entities: [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }] });
      const reply = await world.expectPosted(/Maria[\s\S]*Please reinstall the VPN client from the portal/, chat);
      expect(reply.activity.text).toMatch(/^\*\*Maria/);

      await inTeamsChain(card, maria, { value: { frontline: 'agent', action: 'take', number } });
      await world.expectPosted(/status is now assigned/, chat);
      await inTeamsChain(card, maria, { value: { frontline: 'agent', action: 'resolve', number, resolution: 'Reinstalled the VPN client' } });
      const csat = await world.expectPosted(/resolved[\s\S]*Reinstalled the VPN client[\s\S]*How happy/, chat);
      expect(buttonTitles(csat)).toHaveLength(5);
      await world.click(erik, csat, '5');
      await world.expectPosted(/Anything you'd like to add/, chat);

      // Both workspaces show the change: the Teams card edited in place, the Slack card too.
      await eventually(async () => /resolved/.test(teamsCardNow(card)), 5_000, 'the Teams card showing resolved');
      await eventually(async () => {
        const c = await slackCard(number);
        return c.edits > 0 && JSON.stringify(c.attachments ?? c.blocks).includes('Reinstalled the VPN client');
      }, 5_000, 'the Slack card showing the resolution');
    }, 90_000);

    it('the agent replies and resolves from the Slack card\'s thread: the reply and the resolution with CSAT buttons reach the 1:1 Teams chat; the Teams card follows', async () => {
      const anna = world.newUser('Anna');
      const chat = world.personalConversation(anna);
      const number = await guidedReport(anna);
      const card = await slackCard(number);
      const tCard = await teamsCard(number);

      await slack.message(SLACK_TRIAGE, AGENT.id, 'Hi Anna, please restart your router and try again.', { threadTs: card.ts });
      const reply = await world.expectPosted(/please restart your router/, chat);
      expect(reply.activity.text).toContain(`**${AGENT.shown}**`);
      // What the Slack agent wrote shows in the Teams card's chain too (both workspaces see the conversation).
      await world.expectPosted(/Reply to the reporter by \*\*Maria \(IT support\)\*\*: Hi Anna/, `${TEAMS_TRIAGE};messageid=${tCard.id}`);

      // The reporter answers in Teams: it lands in the Slack thread.
      await world.dm(anna, 'Restarted the router, it works now');
      await slack.expectPosted(/Restarted the router, it works now/, { channel: SLACK_TRIAGE, threadTs: card.ts });

      await slack.click(AGENT.id, card, 'card_take', number);
      await world.expectPosted(/status is now assigned/, chat);
      await slack.click(AGENT.id, card, 'card_resolve', number);
      const opened = await eventually(async () => emulator.callsOf('views.open').at(-1), 5_000, 'the resolve modal');
      const view = JSON.parse(String(opened.args.view)) as { callback_id: string; private_metadata: string };
      await slack.submitView(AGENT.id, view.callback_id, view.private_metadata, { resolution: { note: { type: 'plain_text_input', value: 'Router firmware updated' } } });
      const csat = await world.expectPosted(/resolved[\s\S]*Router firmware updated[\s\S]*How happy/, chat);
      expect(buttonTitles(csat)).toHaveLength(5);
      await world.click(anna, csat, '4');
      await world.expectPosted(/Anything you'd like to add/, chat);
      await eventually(async () => /resolved/.test(teamsCardNow(tCard)) && teamsCardNow(tCard).includes(AGENT.shown), 5_000, 'the Teams card showing resolved');
      const incident = await world.app.frontline.incidents.get(world.app.frontline.db.prisma, number);
      expect(incident).toMatchObject({ status: 'resolved', resolution: 'Router firmware updated' });
    }, 90_000);
  });
}
