import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamsAdapter, teamsFromEnv } from '../../../channels/teams/adapter.js';
import { renderActivity } from '../../../channels/teams/cards.js';
import { SendPacer } from '../../../channels/teams/pace.js';
import { parseTeamsSettings, TEAMS_SETTING_KEYS } from '../../../channels/teams/settings.js';
import { loadConfig } from '../../../src/config/load.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { channelContract } from '../contract.js';
import { BOT, fixture, fixturesPresent, MISSING, nextActivityId, TeamsWorld, TENANT } from './world.js';

describe('Teams settings', () => {
  it('is off without TEAMS_APP_ID or TEAMS_ENABLED, names bad variables, refuses no app id in production', () => {
    expect(teamsFromEnv({})).toBeUndefined();
    expect(teamsFromEnv({ TEAMS_ENABLED: 'true' })).toBeInstanceOf(TeamsAdapter);
    expect(() => parseTeamsSettings({ TEAMS_APP_ID: 'not-a-guid', TEAMS_APP_PASSWORD: 'x' })).toThrow(/TEAMS_APP_ID/);
    expect(() => parseTeamsSettings({ TEAMS_APP_ID: '6b3f2a10-8c4d-4e5f-9a0b-1c2d3e4f5a6b' })).toThrow(/TEAMS_APP_PASSWORD/);
    expect(() => parseTeamsSettings({ TEAMS_ENABLED: 'true', NODE_ENV: 'production' })).toThrow(/production/);
    const s = parseTeamsSettings({ TEAMS_ENABLED: 'true', TEAMS_ALLOWED_TENANTS: ' A1, b2 ' });
    expect(s.allowedTenants).toEqual(['a1', 'b2']);
    expect(s.maxAttachmentBytes).toBe(10 * 1024 * 1024);
    // The core refuses unknown variables: every Teams key must be registered.
    expect(() => loadConfig({ NODE_ENV: 'test', TEAMS_ENABLED: 'true', TEAMS_MAX_ATTACHMENT_BYTES: '5' })).not.toThrow();
    expect(TEAMS_SETTING_KEYS).toContain('TEAMS_ALLOWED_TENANTS');
  });
});

channelContract('teams', () => new TeamsAdapter(parseTeamsSettings({ TEAMS_ENABLED: 'true' })), {
  references: [
    { serviceUrl: 'https://smba.trafficmanager.net/amer/', conversationId: 'a:1abc', kind: 'personal', user: '29:1' },
    { serviceUrl: 'https://smba.trafficmanager.net/amer/', conversationId: '19:ThreadID@thread.skype;messageid=1400900100700', kind: 'channel' },
    { serviceUrl: 'https://smba.trafficmanager.net/emea/', conversationId: '19:meeting_xyz@thread.v2', kind: 'groupChat', tenantId: TENANT },
    { serviceUrl: 'https://smba.trafficmanager.net/teams/', conversationId: '19:triage@thread.tacv2', kind: 'channel', card: true, incidentId: '0b8e4f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b' },
  ],
  foreignKeys: ['slack:T1:C1', 'teams:', 'webchat:abc'],
});

describe('Teams rendering', () => {
  it('renders choices as Action.Submit buttons, the summary as a form, agents attributed and files as links on PUBLIC_URL', () => {
    const a = renderActivity({
      text: 'Shall I go ahead?', author: { kind: 'bot' }, choices: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }],
      form: { confirmChoice: 'yes', fields: [{ name: 'title', label: 'Title', value: 'VPN down' }, { name: 'impact', label: 'Impact', value: '3', options: [{ id: '3', label: 'Just me' }, { id: '1', label: 'Everyone' }] }] },
    });
    const content = a.attachments![0]!.content as { actions: { type: string; data?: { choice: string }; card?: { body: { type: string; id: string; value: string }[] } }[] };
    expect(content.actions.filter((x) => x.type === 'Action.Submit').map((x) => x.data!.choice)).toEqual(['yes', 'no']);
    const form = content.actions.find((x) => x.type === 'Action.ShowCard')!;
    expect(form.card!.body.map((b) => [b.type, b.id, b.value])).toEqual([['Input.Text', 'field_title', 'VPN down'], ['Input.ChoiceSet', 'field_impact', '3']]);
    const agent = renderActivity({ text: 'Try again now', author: { kind: 'agent', name: 'Maria' }, attachments: [{ id: 'f1', filename: 'fix.txt', contentType: 'text/plain', size: 3, url: '/api/v1/attachments/f1' }] }, { publicUrl: 'https://frontline.example.com/' });
    expect(agent.text).toBe('**Maria:** Try again now');
    expect(JSON.stringify(agent.attachments)).toContain('"url":"https://frontline.example.com/api/v1/attachments/f1"');
  });
});

describe('Teams send pacing', () => {
  it('keeps every window of the per-thread limits (7/1 s, 8/2 s, 60/30 s, 1,800/h) and counts threads apart', () => {
    const pacer = new SendPacer();
    let now = 1_000_000;
    const sends: number[] = [];
    // Always send as soon as allowed, for two minutes of simulated time.
    while (now < 1_120_000) {
      const wait = pacer.delay('a:chat', now);
      if (wait > 0) now += wait;
      pacer.record('a:chat', now);
      sends.push(now);
    }
    const most = (ms: number) => Math.max(...sends.map((t) => sends.filter((u) => u >= t && u < t + ms).length));
    expect(most(1_000)).toBe(7);
    expect(most(2_000)).toBe(8);
    expect(most(30_000)).toBe(60);
    expect(sends.length).toBeGreaterThanOrEqual(235); // 60 per 30 s (plus the margin) binds over two minutes
    expect(pacer.delay('19:other@thread.tacv2;messageid=1', now)).toBe(0);
  });
});

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Teams outbound failures (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: TeamsWorld;
    beforeAll(async () => {
      world = await TeamsWorld.start(kind);
    }, 60_000);
    afterAll(async () => world?.close());

    const readyz = async () => (await (await fetch(`${world.app.url}/readyz`)).json()) as { status: string; checks: Record<string, { ok: boolean; detail?: string }> };

    it('429 with Retry-After and 5xx are retried until delivered', async () => {
      const u = world.newUser('Rita');
      const chat = world.personalConversation(u);
      world.connector.fail(chat, { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests' } } }, { status: 502 });
      const started = Date.now();
      await world.dm(u, 'the printer on floor 2 jams');
      await world.expectPosted(/Shall I go ahead/, chat, 15_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900); // waited as Retry-After said
    });

    it('a burst into one chat is paced under Teams\' limits: every message arrives, never 8 within 2 seconds', async () => {
      const u = world.newUser('Burst');
      const chat = world.personalConversation(u);
      const ref = { serviceUrl: world.connector.url, conversationId: chat, kind: 'personal', botId: BOT.id, user: u.id };
      await Promise.all(Array.from({ length: 10 }, (_, i) => world.adapter.send(ref, { text: `line ${i}`, author: { kind: 'bot' } }, { idempotencyKey: `burst-${i}`, conversationId: 'c1', attempt: 1 })));
      const at = world.connector.messages(chat).map((p) => p.at).sort((a, b) => a - b);
      expect(at).toHaveLength(10);
      for (let i = 7; i < at.length; i++) expect(at[i]! - at[i - 7]!, `message ${i}`).toBeGreaterThanOrEqual(1_000 - 50);
      expect(at[8]! - at[0]!).toBeGreaterThanOrEqual(2_000 - 50);
    });

    it('403 BotNotInConversationRoster dead-letters the reply, marks the conversation dead and /readyz names it; adding the app again revives it', async () => {
      const u = world.newUser('Dag');
      const chat = world.personalConversation(u);
      world.connector.fail(chat, { status: 403, sticky: true, body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } } });
      await world.dm(u, 'my monitor flickers');
      const health = await eventually(async () => {
        const r = await readyz();
        return r.checks['channel:teams']?.detail?.includes(chat) ? r : undefined;
      }, 10_000, 'readyz naming the conversation');
      expect(health.checks['channel:teams']!.detail).toMatch(/BotNotInConversationRoster/);
      expect(health.status).toBe('ready'); // one lost conversation does not fail the instance
      const dead = await eventually(async () => (await world.app.frontline.db.pool.query(`SELECT count(*)::int AS n FROM outbox_message WHERE status = 'dead'`)).rows[0].n > 0, 10_000, 'dead letter');
      expect(dead).toBe(true);
      // The app is added again: reachable once more.
      world.connector.heal(chat);
      const install = { ...fixture('SampleActivityMembersAdded.json'), id: nextActivityId(), type: 'installationUpdate', action: 'add', serviceUrl: world.connector.url, from: { id: u.id, name: u.name, aadObjectId: u.aadObjectId }, recipient: BOT, conversation: { id: chat, conversationType: 'personal', tenantId: TENANT }, channelData: { tenant: { id: TENANT } } };
      expect((await world.post(install)).status).toBe(200);
      await eventually(async () => !(await readyz()).checks['channel:teams']?.detail?.includes(chat), 5_000, 'revived');
    });

    it('uninstalling the app (installationUpdate remove) marks the conversation dead; update() edits a sent activity in place', async () => {
      const u = world.newUser('Una');
      const chat = world.personalConversation(u);
      const ref = { serviceUrl: world.connector.url, conversationId: chat, kind: 'personal', botId: BOT.id, user: u.id };
      const sent = await world.adapter.send(ref, { text: 'Status: new', author: { kind: 'bot' } }, { idempotencyKey: 'k1', conversationId: 'c1', attempt: 1 });
      expect(sent.externalId).toBeTruthy();
      await world.adapter.update!(ref, sent.externalId!, { text: 'Status: resolved', author: { kind: 'bot' } }, { idempotencyKey: 'k2', conversationId: 'c1', attempt: 1 });
      expect(world.connector.posted.find((p) => p.kind === 'update' && p.activityId === sent.externalId)?.activity.text).toBe('Status: resolved');
      const remove = { ...fixture('SampleActivityMembersRemoved.json'), id: nextActivityId(), type: 'installationUpdate', action: 'remove', serviceUrl: world.connector.url, from: { id: u.id }, recipient: BOT, conversation: { id: chat, conversationType: 'personal', tenantId: TENANT } };
      expect((await world.post(remove)).status).toBe(200);
      expect((await readyz()).checks['channel:teams']?.detail).toMatch(new RegExp(`${chat} \\(app uninstalled\\)`));
      await expect(world.adapter.send(ref, { text: 'x', author: { kind: 'bot' } }, { idempotencyKey: 'k3', conversationId: 'c1', attempt: 1 })).rejects.toMatchObject({ retryable: false });
    });
  });
}
