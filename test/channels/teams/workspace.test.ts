import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertAgentOverride } from '../../../src/agents/overrides.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import type { PostedActivity } from './connector.js';
import { BOT, fixture, fixturesPresent, type Json, MISSING, TeamsWorld, TENANT, type TeamsUser } from './world.js';

const TRIAGE = '19:desk@thread.tacv2';
const MARIA = { id: '29:agent-maria', name: 'Maria', aadObjectId: '00000000-0000-4000-8000-00000000a001' };
const OLLE = { id: '29:agent-olle', name: 'Olle', aadObjectId: '00000000-0000-4000-8000-00000000a002' };
const MALLORY = { id: '29:someone-else', name: 'Mallory', aadObjectId: '00000000-0000-4000-8000-00000000a003' };
type Person = typeof MARIA;

/**
 * The Teams agents' workspace beyond the card itself: who may act (TEAMS_AGENT_USERS by AAD object id or email,
 * the agent override table first), the names reporters see, the reply-chain commands, and files both ways
 * through the card's reply chain as signed, expiring links on PUBLIC_URL.
 */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Teams agents' workspace: allow-list, names, files (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: TeamsWorld;
    beforeAll(async () => {
      world = await TeamsWorld.start(kind, {
        TEAMS_TRIAGE_CHANNELS: `default=${TRIAGE}`, TEAMS_MAX_ATTACHMENT_BYTES: '2000',
        // Maria by AAD object id; Olle by the email the roster gives for him, with the name reporters see.
        TEAMS_AGENT_USERS: `${MARIA.aadObjectId},OLLE@contoso.com`, TEAMS_AGENT_NAMES: 'olle@contoso.com=Olle (Network team)',
      });
      world.connector.members.set(OLLE.id, { name: 'Olle', email: 'olle@contoso.com', userPrincipalName: 'olle@contoso.com' });
      world.connector.members.set(MALLORY.id, { name: 'Mallory', email: 'mallory@contoso.com', userPrincipalName: 'mallory@contoso.com' });
    }, 60_000);
    afterAll(async () => world?.close());

    const chainOf = (card: PostedActivity) => `${TRIAGE};messageid=${card.id}`;
    let seq = 0;
    const inChain = (card: PostedActivity, who: Person, extra: Json) => world.post({
      type: 'message', id: `17${Date.now()}${++seq}`, channelId: 'msteams', serviceUrl: world.connector.url, timestamp: new Date().toISOString(),
      from: who, recipient: BOT,
      conversation: { id: chainOf(card), conversationType: 'channel', isGroup: true, tenantId: TENANT },
      channelData: { channel: { id: TRIAGE }, team: { id: TRIAGE }, tenant: { id: TENANT } },
      replyToId: card.id, ...extra,
    });
    const mention = (text: string, extra: Json = {}) => ({ text: `<at>${BOT.name}</at> ${text}`, entities: [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }], ...extra });
    const incident = (number: string) => world.app.frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) } });

    async function report(u: TeamsUser, text: string): Promise<{ number: string; card: PostedActivity }> {
      const chat = world.personalConversation(u);
      await world.dm(u, text);
      await world.click(u, await world.expectPosted(/Shall I go ahead/, chat), 'yes');
      const number = /INC-\d+/.exec((await world.expectPosted(/Your incident is INC-\d+/, chat)).activity.text!)![0];
      // Posted and recorded: replies in its chain are matched to the incident by that record.
      const card = await eventually(async () => {
        const c = world.connector.posted.find((p) => p.conversationId === TRIAGE && p.kind === 'send' && JSON.stringify(p.activity).includes(number));
        return c && (await world.app.frontline.db.prisma.channelState.findUnique({ where: { channel_key: { channel: 'teams', key: `card-of:${c.id}` } } })) ? c : undefined;
      }, 10_000, 'the triage card');
      return { number, card };
    }

    it('only agents act: a non-agent is refused politely with no effect; names come from TEAMS_AGENT_NAMES and the override table, which also revokes', async () => {
      const erik = world.newUser('Erik');
      const chat = world.personalConversation(erik);
      const { number, card } = await report(erik, 'The VPN drops every ten minutes');
      const filed = (await incident(number))!;
      expect(filed.priority).not.toBe('P1');

      // Mallory is in the channel but no agent: a click, a command and a reply are each refused, nothing changes.
      await inChain(card, MALLORY, { value: { frontline: 'agent', action: 'take', number } });
      await inChain(card, MALLORY, mention('!priority P1'));
      await inChain(card, MALLORY, mention('Just reboot it lol'));
      await eventually(async () => world.connector.messages(chainOf(card)).filter((m) => /Sorry, only service desk agents can act/.test(m.activity.text ?? '')).length === 3, 5_000, 'three refusals');
      await new Promise((r) => setTimeout(r, 300));
      expect(await incident(number)).toMatchObject({ assignee: null, priority: filed.priority });
      expect(await world.app.frontline.db.prisma.incidentEvent.count({ where: { incident: { number: Number(number.slice(4)) }, type: { in: ['reply', 'note'] } } })).toBe(0);
      expect(world.connector.messages(chat).some((m) => /reboot it/.test(m.activity.text ?? ''))).toBe(false);

      // Olle is an agent by the email the roster gives; his configured name is what the incident and reporter see.
      await inChain(card, OLLE, mention('!take'));
      await eventually(async () => (await incident(number))?.assignee === 'Olle (Network team)', 5_000, 'taken under the configured name');
      await world.expectPosted(/assigned/, chat);

      // Maria is an agent by AAD object id; the override table's display name wins over her Teams name.
      // (Set through the admin API, which takes an AAD object id as the key; the upper case is how Entra shows it.)
      const put = await fetch(`${world.app.url}/api/v1/admin/agents/${MARIA.aadObjectId.toUpperCase()}`, {
        method: 'PUT', headers: { authorization: `Bearer ${world.app.tokens.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'teams', displayName: 'Maria (IT support)' }),
      });
      expect(put.status).toBe(200);
      await inChain(card, MARIA, mention('Please restart the VPN client.'));
      await world.expectPosted(/^\*\*Maria \(IT support\)\*\* on INC-\d+: Please restart the VPN client/, chat);

      // An inactive override entry revokes Olle although TEAMS_AGENT_USERS lists him.
      await upsertAgentOverride(world.app.frontline.db, { channel: 'teams', key: 'olle@contoso.com', active: false });
      await inChain(card, OLLE, mention('!priority P1'));
      await eventually(async () => world.connector.messages(chainOf(card)).filter((m) => /Sorry, only service desk agents/.test(m.activity.text ?? '')).length === 4, 5_000, 'Olle refused');
      expect((await incident(number))?.priority).toBe(filed.priority);

      // Commands an agent may use; an unknown one gets the list.
      await inChain(card, MARIA, mention('!priority p1'));
      await eventually(async () => (await incident(number))?.priority === 'P1', 5_000, 'priority changed by command');
      await inChain(card, MARIA, mention('!frobnicate'));
      await world.expectPosted(/Commands: `!take`/, chainOf(card));
      await inChain(card, MARIA, mention('!resolve Replaced the VPN profile'));
      await eventually(async () => (await incident(number))?.status === 'resolved', 5_000, 'resolved by command');
    });

    it('an agent\'s file in the reply chain reaches the reporter as a signed link; the reporter\'s file shows in the chain as one; a redelivery stores nothing twice', async () => {
      const ida = world.newUser('Ida');
      const chat = world.personalConversation(ida);
      const { number, card } = await report(ida, 'Outlook crashes when I open the calendar');
      world.connector.files.set('fix-steps.txt', { type: 'text/plain', data: Buffer.from('1. Close Outlook\n2. Run outlook /resetnavpane\n') });
      world.connector.files.set('huge.zip', { type: 'application/zip', data: Buffer.alloc(5_000, 1) });
      const file = (name: string) => ({ ...fixture('SampleFileDownloadInfoAttachment.json'), name, content: { downloadUrl: `${world.connector.url}files/${name}`, uniqueId: name, fileType: name.split('.').pop() } });

      const withFiles = mention('Try these steps, please.', { id: `17${Date.now()}99`, attachments: [file('fix-steps.txt'), file('huge.zip')] });
      expect((await inChain(card, MARIA, withFiles)).status).toBe(200);
      expect((await inChain(card, MARIA, withFiles)).status).toBe(200); // redelivered
      const relayed = await world.expectPosted(/Try these steps, please/, chat);
      const link = (relayed.activity.attachments?.[0]?.content.actions ?? []).find((x) => x.type === 'Action.OpenUrl' && /fix-steps\.txt/.test(x.title));
      expect(link?.url).toMatch(/^https:\/\/frontline\.example\.com\/api\/teams\/files\/[0-9a-f-]{36}\/[0-9a-f-]{36}\?exp=\d+&sig=[\w-]+$/);
      await world.expectPosted(/Not passed on to the reporter: "huge\.zip"/, chainOf(card));
      expect(world.connector.messages(chat).filter((m) => /Try these steps/.test(m.activity.text ?? ''))).toHaveLength(1);
      expect(await world.app.frontline.db.prisma.attachment.count({ where: { filename: 'fix-steps.txt' } })).toBe(1);

      // The link downloads the file from Frontline; a tampered or expired link does not.
      const local = (url: string) => url.replace('https://frontline.example.com', world.app.url);
      const got = await fetch(local(link!.url!));
      expect(got.status).toBe(200);
      expect(got.headers.get('content-disposition')).toContain('fix-steps.txt');
      expect(await got.text()).toContain('outlook /resetnavpane');
      const tampered = await fetch(local(link!.url!.replace(/sig=[\w-]+/, 'sig=AAAA')));
      expect(tampered.status).toBe(401);
      const otherFile = await fetch(local(link!.url!.replace(/files\/([0-9a-f-]{36})\/[0-9a-f-]{36}/, 'files/$1/00000000-0000-4000-8000-000000000000')));
      expect(otherFile.status).toBe(401);
      const expired = await fetch(local(link!.url!.replace(/exp=\d+/, 'exp=1600000000')));
      expect(expired.status).toBe(401);

      // The reporter sends a screenshot later: it shows in the card's chain as a link to the stored file.
      world.connector.files.set('error.png', { type: 'image/png', data: Buffer.from('89504e470d0a1a0a0000', 'hex') });
      await world.dm(ida, 'Here is the error I get', { attachments: [{ contentType: 'image/png', contentUrl: `${world.connector.url}files/error.png`, name: 'error.png' }] });
      const line = await world.expectPosted(/Ida:\*\* Here is the error I get/, chainOf(card));
      const shot = (line.activity.attachments?.[0]?.content.actions ?? []).find((x) => x.type === 'Action.OpenUrl' && /error\.png/.test(x.title));
      expect(shot?.url).toMatch(/\/api\/teams\/files\//);
      const image = await fetch(local(shot!.url!));
      expect(image.status).toBe(200);
      expect(Buffer.from(await image.arrayBuffer()).toString('hex')).toBe('89504e470d0a1a0a0000');
      expect(number).toMatch(/^INC-/);
    });
  });
}
