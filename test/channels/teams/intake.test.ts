import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importKb } from '../../../src/kb/import.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { buttonTitles, fixture, fixturesPresent, MISSING, nextActivityId, TeamsWorld, TENANT, BOT } from './world.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Teams guided report, agent reply and CSAT (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: TeamsWorld;
    beforeAll(async () => {
      world = await TeamsWorld.start(kind, {}, { appEnv: { FRONTLINE_DIALOG: 'report-guided' } });
      await importKb(world.app.frontline.db, path.join(REPO_ROOT, 'kb'));
    }, 60_000);
    afterAll(async () => world?.close());

    it('a 1:1 report walks the guided dialog with card buttons, an agent reply and the resolution with CSAT buttons reach the chat', async () => {
      const erik = world.newUser('Erik');
      const chat = world.personalConversation(erik);
      expect((await world.dm(erik, 'My VPN is stuck on connecting and times out')).status).toBe(200);
      // The typing indicator goes out while the bot works.
      await eventually(async () => world.connector.posted.some((p) => p.conversationId === chat && p.activity.type === 'typing'), 5_000, 'typing');
      const suggestions = await world.expectPosted(/These articles might solve it/, chat);
      expect(suggestions.activity.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
      await world.click(erik, suggestions, 'none');
      const where = await world.expectPosted(/Where are you connecting from/, chat);
      // The clicked question's card is edited in place to show the answer (no second click possible).
      await eventually(async () => world.connector.posted.some((p) => p.kind === 'update' && p.activityId === suggestions.id && /You answered/.test(JSON.stringify(p.activity))), 5_000, 'answered card');
      await world.click(erik, where, 'home');
      await world.expectPosted(/Do other websites/, chat);
      await world.dm(erik, 'yes');
      await world.click(erik, await world.expectPosted(/Who is affected/, chat), 'me');
      await world.click(erik, await world.expectPosted(/Can you work/, chat), 'hard');
      const confirm = await world.expectPosted(/Priority: P4/, chat);
      expect(buttonTitles(confirm).length).toBeGreaterThan(1);
      await world.click(erik, confirm, 'yes');
      const filed = await world.expectPosted(/Your incident is INC-\d{6}/, chat);
      const number = /INC-\d{6}/.exec(filed.activity.text!)![0];

      const incident = await world.app.frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) }, include: { reporter: true } });
      expect(incident).toMatchObject({ priority: 'P4', category: 'network' });
      // Identity: the AAD object id is the account; name from the activity, email from the roster lookup.
      const identity = await world.app.frontline.db.prisma.channelIdentity.findFirst({ where: { channel: 'teams', externalId: erik.aadObjectId }, include: { contact: true } });
      expect(identity?.contact).toMatchObject({ displayName: 'Erik', email: erik.email });
      expect(incident?.reporterId).toBe(identity?.contactId);

      const api = (p: string, body: unknown, method = 'POST') => fetch(`${world.app.url}/api/v1${p}`, { method, headers: { authorization: `Bearer ${world.app.tokens.agent}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await api(`/incidents/${number}/comments`, { text: 'Please reinstall the VPN client.', author: 'Maria (IT support)' })).status).toBe(201);
      const reply = await world.expectPosted(/^\*\*Maria \(IT support\)\*\* on INC-\d+: Please reinstall the VPN client/, chat);
      expect(reply.activity.textFormat).toBe('markdown');

      expect((await api(`/incidents/${number}`, { status: 'resolved', resolution: 'Updated the VPN client' }, 'PATCH')).status).toBe(200);
      const csat = await world.expectPosted(/has been resolved: Updated the VPN client[\s\S]*How happy/, chat);
      expect(buttonTitles(csat)).toHaveLength(5);
      await world.click(erik, csat, '5');
      await world.expectPosted(/Anything you'd like to add/, chat);
    }, 60_000);
  });

  describe.skipIf(skip || !fixturesPresent)(`Teams intake (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: TeamsWorld;
    beforeAll(async () => {
      world = await TeamsWorld.start(kind, { TEAMS_MAX_ATTACHMENT_BYTES: '1000' });
    }, 60_000);
    afterAll(async () => world?.close());

    it('a channel @mention report continues in the post\'s reply chain, without the mention', async () => {
      const sara = world.newUser('Sara');
      const post = world.channelMention(sara, 'the wifi in room 4.12 is down');
      expect((await world.post(post)).status).toBe(200);
      const thread = (post.conversation as { id: string }).id;
      expect(thread).toMatch(/;messageid=/);
      const confirm = await world.expectPosted(/the wifi in room 4\.12 is down[\s\S]*Shall I go ahead/, thread);
      expect(confirm.activity.text).not.toContain('<at>');
      await world.click(sara, confirm, 'yes');
      await world.expectPosted(/Your incident is INC-/, thread);
      expect(world.connector.messages().filter((m) => m.conversationId.startsWith('19:general@thread.tacv2')).every((m) => m.conversationId === thread)).toBe(true);
      // A channel post that does not mention the bot is not a report.
      const other = world.channelMention(sara, 'lunch?');
      await world.post({ ...other, entities: [], text: 'lunch?' });
      expect(world.connector.messages((other.conversation as { id: string }).id)).toHaveLength(0);
    });

    it('the summary card\'s "Review & edit" form files the edited description; a group chat report stays in the group chat', async () => {
      const nils = world.newUser('Nils');
      const chat = world.personalConversation(nils);
      await world.dm(nils, 'Teams camera shows a black screen');
      const question = await world.expectPosted(/Shall I go ahead/, chat);
      const form = JSON.stringify(question.activity.attachments);
      expect(form).toContain('Review & edit');
      expect(form).toContain('"id":"field_description"');
      await world.click(nils, question, /File it/, { field_description: 'Teams camera shows a black screen in every meeting since the update' });
      await world.expectPosted(/Your incident is INC-/, chat);
      expect(await world.app.frontline.db.prisma.incident.count({ where: { description: { contains: 'in every meeting since the update' } } })).toBe(1);

      const group = '19:groupchat-1234@thread.v2';
      const inGroup = world.personalMessage(nils, '<at>Frontline</at> the shared drive is read-only', {
        conversation: { id: group, conversationType: 'groupChat', isGroup: true, tenantId: TENANT },
        entities: [{ type: 'mention', text: '<at>Frontline</at>', mentioned: BOT }],
      });
      expect((await world.post(inGroup)).status).toBe(200);
      const asked = await world.expectPosted(/the shared drive is read-only[\s\S]*Shall I go ahead/, group);
      expect(asked.conversationId).toBe(group);
    });

    it('a redelivered activity has one effect', async () => {
      const jon = world.newUser('Jon');
      const activity = world.personalMessage(jon, 'Excel crashes on open');
      expect((await world.post(activity)).status).toBe(200);
      expect((await world.post(activity)).status).toBe(200);
      await world.expectPosted(/Excel crashes on open[\s\S]*Shall I go ahead/, world.personalConversation(jon));
      await new Promise((r) => setTimeout(r, 300));
      expect(world.connector.messages(world.personalConversation(jon)).filter((m) => /Shall I go ahead/.test(m.activity.text ?? ''))).toHaveLength(1);
      const events = await world.app.frontline.db.pool.query(`SELECT count(*)::int AS n FROM inbound_event WHERE channel = 'teams' AND external_id = $1`, [activity.id]);
      expect(events.rows[0].n).toBe(1);
    });

    it('a reporter\'s edit reaches the incident as a correction and a deletion is noted, each once; edits of unknown messages and undeletes do nothing', async () => {
      const lea = world.newUser('Lea');
      const chat = world.personalConversation(lea);
      await world.dm(lea, 'Teams calls drop after a minute');
      await world.click(lea, await world.expectPosted(/Shall I go ahead/, chat), 'yes');
      const number = Number(/INC-(\d+)/.exec((await world.expectPosted(/Your incident is INC-/, chat)).activity.text!)![1]);
      const later = world.personalMessage(lea, 'It happens on the office wifi only');
      await world.post(later);
      const events = async () => (await world.app.frontline.db.prisma.incidentEvent.findMany({ where: { incident: { number }, type: 'reporter_message' }, orderBy: { createdAt: 'asc' } })).map((e) => e.body);
      await eventually(async () => (await events()).length === 1, 5_000, 'the follow-up on the incident');

      // Teams sends an edit as messageUpdate (eventType editMessage) with the message's own id and the new text.
      const edit = { ...later, type: 'messageUpdate', text: 'It happens on the office wifi and at home', channelData: { tenant: { id: TENANT }, eventType: 'editMessage' } };
      expect((await world.post(edit)).status).toBe(200);
      expect((await world.post(edit)).status).toBe(200); // redelivered
      const remove = { ...later, type: 'messageDelete', text: undefined, channelData: { tenant: { id: TENANT }, eventType: 'softDeleteMessage' } };
      expect((await world.post(remove)).status).toBe(200);
      expect((await world.post(remove)).status).toBe(200);
      expect((await world.post({ ...remove, type: 'messageUpdate', channelData: { tenant: { id: TENANT }, eventType: 'undeleteMessage' } })).status).toBe(200);
      await eventually(async () => (await events()).length === 3, 5_000, 'correction and deletion on the timeline');
      await new Promise((r) => setTimeout(r, 300));
      expect(await events()).toEqual(['It happens on the office wifi only', 'Correction: It happens on the office wifi and at home', '(I deleted my earlier message.)']);

      // An edit of a message Frontline never received opens nothing.
      const stranger = world.newUser('Stranger');
      const unknown = { ...world.personalMessage(stranger, 'edited text'), type: 'messageUpdate', channelData: { tenant: { id: TENANT }, eventType: 'editMessage' } };
      expect((await world.post(unknown)).status).toBe(200);
      const opened = await world.app.frontline.db.pool.query(`SELECT count(*)::int AS n FROM conversation WHERE thread_key = $1`, [`teams:${world.personalConversation(stranger)}`]);
      expect(opened.rows[0].n).toBe(0);
    });

    it('the "Report as incident" message action files the chosen message\'s text and link from a 1:1 chat', async () => {
      const kim = world.newUser('Kim');
      const invoke = {
        ...fixture('SampleActivityComposeExtension.json'),
        id: nextActivityId(), name: 'composeExtension/submitAction', serviceUrl: world.connector.url,
        from: { id: kim.id, name: kim.name, aadObjectId: kim.aadObjectId }, recipient: BOT,
        conversation: { id: '19:general@thread.tacv2;messageid=1700000000001', conversationType: 'channel', tenantId: TENANT },
        channelData: { tenant: { id: TENANT }, channel: { id: '19:general@thread.tacv2' } },
        value: {
          commandId: 'reportAsIncident', commandContext: 'message',
          messagePayload: { id: '1700000000001', body: { contentType: 'html', content: '<p>The build server is out of disk again</p>' }, linkToMessage: 'https://teams.microsoft.com/l/message/19:general@thread.tacv2/1700000000001' },
        },
      };
      const res = await world.post(invoke);
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).toMatch(/opened a chat/);
      expect(world.connector.created.at(-1)?.members[0]?.id).toBe(kim.id);
      const chat = `a:1on1-${kim.id}`;
      const confirm = await world.expectPosted(/The build server is out of disk again[\s\S]*teams\.microsoft\.com\/l\/message[\s\S]*Shall I go ahead/, chat);
      await world.click(kim, confirm, 'yes');
      const filed = await world.expectPosted(/Your incident is INC-/, chat);
      const number = Number(/INC-(\d+)/.exec(filed.activity.text!)![1]);
      const incident = await world.app.frontline.db.prisma.incident.findFirst({ where: { number } });
      expect(incident?.description).toMatch(/build server is out of disk/);
    });

    it('installing the app welcomes the person (the dialog greeting) and keeps the reference; a file above the limit is refused politely', async () => {
      const ola = world.newUser('Ola');
      const install = { ...fixture('SampleActivityConversationUpdateWithAADObjectId.json'), id: nextActivityId(), serviceUrl: world.connector.url, from: { id: ola.id, name: ola.name, aadObjectId: ola.aadObjectId }, recipient: BOT, conversation: { id: world.personalConversation(ola), conversationType: 'personal', tenantId: TENANT }, membersAdded: [{ id: BOT.id }], channelData: { tenant: { id: TENANT } } };
      expect((await world.post(install)).status).toBe(200);
      await eventually(async () => world.connector.messages(world.personalConversation(ola)).length > 0, 5_000, 'greeting');
      // Added to a team (the SDK sample's membersAdded, naming the bot): one how-to in the channel, even if redelivered.
      const team = { ...fixture('SampleActivityMembersAdded.json'), serviceUrl: world.connector.url, recipient: BOT, membersAdded: [{ id: BOT.id }], conversation: { isGroup: true, conversationType: 'channel', id: '19:teamroot@thread.tacv2', tenantId: TENANT } };
      expect((await world.post(team)).status).toBe(200);
      expect((await world.post(team)).status).toBe(200);
      const howTo = await world.expectPosted(/Mention me/, '19:teamroot@thread.tacv2');
      expect(howTo.activity.text).toMatch(/@Frontline/);
      expect(world.connector.messages('19:teamroot@thread.tacv2')).toHaveLength(1);

      world.connector.files.set('big.log', { type: 'text/plain', data: Buffer.alloc(3_000, 'x') });
      world.connector.files.set('small.txt', { type: 'text/plain', data: Buffer.from('error 0x80070005') });
      const file = (name: string) => ({ ...fixture('SampleFileDownloadInfoAttachment.json'), name, content: { downloadUrl: `${world.connector.url}files/${name}`, uniqueId: name, fileType: name.split('.')[1] } });
      world.connector.files.set('shot.png', { type: 'image/png', data: Buffer.from('89504e470d0a1a0a', 'hex') });
      const image = { contentType: 'image/png', contentUrl: `${world.connector.url}files/shot.png`, name: 'shot.png' };
      const msg = world.personalMessage(ola, 'Outlook will not start, logs attached', { attachments: [file('small.txt'), file('big.log'), image] });
      expect((await world.post(msg)).status).toBe(200);
      await world.expectPosted(/could not take "big\.log"/, world.personalConversation(ola));
      const stored = await world.app.frontline.db.pool.query(`SELECT filename FROM attachment ORDER BY created_at`);
      expect(stored.rows.map((r: { filename: string }) => r.filename)).toEqual(expect.arrayContaining(['small.txt', 'shot.png']));
      expect(stored.rows.map((r: { filename: string }) => r.filename)).not.toContain('big.log');
    });
  });
}
