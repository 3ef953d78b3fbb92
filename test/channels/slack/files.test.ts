import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { WebchatClient } from '../../helpers/webchat-client.js';
import { eventEnvelope, fixturesPresent, MISSING, postToSlackEndpoint } from './requests.js';
import { AGENT, SECRET, SlackWorld, TRIAGE } from './world.js';

const LIMIT = 64 * 1024;
const png = (size: number, seed: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed) % 256));

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Slack file relay (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: SlackWorld;
    beforeAll(async () => {
      world = await SlackWorld.start(kind, { SLACK_MAX_FILE_BYTES: String(LIMIT) });
    });
    afterAll(async () => {
      await world?.close();
    });

    const cardOf = (number: string) => eventually(async () => world.slack.botMessages(TRIAGE).find((m) => m.text.includes(number) && m.metadata), 10_000, 'the card');

    it('Slack DM reporter ↔ card thread: files both ways with the same bytes; an oversized file becomes a note', async () => {
      const reporter = world.newReporter('Frida');
      const number = await world.reportByDm('The projector in room 4 shows a blue screen', reporter);
      const card = await cardOf(number);

      // Agent → reporter: a file shared in the thread is downloaded with the bot token and uploaded into the DM.
      const manual = png(5_000, 1);
      await world.shareFiles(TRIAGE, AGENT.id, 'Here is the manual', [{ name: 'manual.pdf', mimetype: 'application/pdf', data: manual }], { threadTs: card.ts });
      await world.expectPosted(/Here is the manual/, { channel: reporter.dm });
      const inDm = await eventually(async () => world.slack.uploadedFiles(reporter.dm).find((f) => f.name === 'manual.pdf'), 10_000, 'the file in the DM');
      expect(inDm.data.equals(manual)).toBe(true);
      expect(world.slack.calls.filter((c) => c.method === 'file.download').every((c) => c.args.authorization === 'Bearer xoxb-emulated')).toBe(true);
      expect(world.slack.callsOf('files.getUploadURLExternal').length).toBeGreaterThan(0);
      expect(world.slack.callsOf('files.completeUploadExternal').length).toBeGreaterThan(0);

      // Reporter → agents: a DM file arrives as an attachment of the message and is shown in the card's thread.
      const photo = png(7_000, 2);
      await world.shareFiles(reporter.dm, reporter.id, 'A photo of the screen', [{ name: 'screen.jpg', mimetype: 'image/jpeg', data: photo }]);
      await world.expectPosted(/A photo of the screen/, { channel: TRIAGE, threadTs: card.ts });
      const inThread = await eventually(async () => world.slack.uploadedFiles(TRIAGE, card.ts).find((f) => f.name === 'screen.jpg'), 10_000, 'the file in the thread');
      expect(inThread.data.equals(photo)).toBe(true);

      // Over the limit: not relayed; the reporter gets a polite note, the agent an ephemeral one.
      await world.shareFiles(TRIAGE, AGENT.id, 'Full logs attached', [{ name: 'logs.zip', mimetype: 'application/zip', data: png(LIMIT + 1, 3) }], { threadTs: card.ts });
      const note = await world.expectPosted(/Full logs attached/, { channel: reporter.dm });
      expect(note.text).toMatch(/logs\.zip.*larger than 64 KB.*not passed on/s);
      expect(world.slack.uploadedFiles(reporter.dm).some((f) => f.name === 'logs.zip')).toBe(false);
      await eventually(async () => world.slack.callsOf('chat.postEphemeral').find((c) => String(c.args.text).includes('logs.zip')), 5_000, 'the agent told');

      // The other way: a reporter's oversized file stays behind, and the thread says so politely.
      await world.shareFiles(reporter.dm, reporter.id, 'And a screen recording', [{ name: 'recording.mp4', mimetype: 'video/mp4', data: png(LIMIT + 10, 6) }]);
      const line = await world.expectPosted(/And a screen recording/, { channel: TRIAGE, threadTs: card.ts });
      expect(line.text).toMatch(/recording\.mp4.*larger than 64 KB/s);
      expect(world.slack.uploadedFiles(TRIAGE).some((f) => f.name === 'recording.mp4')).toBe(false);

      // A file event that only references the file (no URL): the URL comes from files.info.
      const ref = world.slack.userFile(AGENT.id, 'checklist.txt', 'text/plain', Buffer.from('1. restart\n2. re-plug\n'));
      const bare = { id: ref.id, name: 'checklist.txt', mimetype: 'text/plain', size: 22, file_access: 'check_file_info' };
      const ts = world.slack.userPost(TRIAGE, AGENT.id, 'Checklist', card.ts);
      await postToSlackEndpoint(world.app.url, eventEnvelope('MessageFileSharePayload.json', { type: 'message', subtype: 'file_share', channel: TRIAGE, user: AGENT.id, text: 'Checklist', ts, event_ts: ts, thread_ts: card.ts, channel_type: 'channel', files: [bare] }), { secret: SECRET });
      const checklist = await eventually(async () => world.slack.uploadedFiles(reporter.dm).find((f) => f.name === 'checklist.txt'), 10_000, 'the checklist in the DM');
      expect(checklist.data.toString()).toBe('1. restart\n2. re-plug\n');
      expect(world.slack.callsOf('files.info').length).toBeGreaterThan(0);
    });

    it('a redelivered file event stores nothing again', async () => {
      const reporter = world.newReporter('Gustav');
      const number = await world.reportByDm('The scanner on floor 2 is offline', reporter);
      const shared = await world.shareFiles(reporter.dm, reporter.id, 'The error on its display', [{ name: 'display.jpg', mimetype: 'image/jpeg', data: png(3_000, 9) }]);
      const stored = () => world.app.frontline.db.prisma.attachment.count({ where: { filename: 'display.jpg' } });
      await eventually(async () => (await stored()) === 1, 10_000, 'the file stored');
      await eventually(async () => (await world.app.frontline.db.prisma.message.count({ where: { text: 'The error on its display' } })) === 1, 10_000, 'the message');
      const downloads = world.slack.calls.filter((c) => c.method === 'file.download').length;
      // Slack retries the same event (same body, X-Slack-Retry-Num) when it missed the ack.
      const again = await postToSlackEndpoint(world.app.url, shared.body, { secret: SECRET, retryNum: 1 });
      expect(again.status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(await stored()).toBe(1);
      expect(world.slack.calls.filter((c) => c.method === 'file.download').length).toBe(downloads);
      expect(await world.app.frontline.db.prisma.message.count({ where: { text: 'The error on its display' } })).toBe(1);

      // The same for an agent's file in the card's thread.
      const card = await cardOf(number);
      const guide = await world.shareFiles(TRIAGE, AGENT.id, 'Reset guide', [{ name: 'reset.pdf', mimetype: 'application/pdf', data: png(2_000, 4) }], { threadTs: card.ts });
      await world.expectPosted(/Reset guide/, { channel: reporter.dm });
      const guides = () => world.app.frontline.db.prisma.attachment.count({ where: { filename: 'reset.pdf' } });
      expect(await guides()).toBe(1);
      const agentDownloads = world.slack.calls.filter((c) => c.method === 'file.download').length;
      expect((await postToSlackEndpoint(world.app.url, guide.body, { secret: SECRET, retryNum: 1 })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(await guides()).toBe(1);
      expect(world.slack.calls.filter((c) => c.method === 'file.download').length).toBe(agentDownloads);
    });

    it('files sent while reporting (web chat) appear in the new card’s thread', async () => {
      const chat = await new WebchatClient(world.app.url).open();
      const shot = png(4_000, 7);
      const stored = await fetch(`${world.app.url}/webchat/v1/conversations/${chat.conversationId}/attachments`, {
        method: 'POST', headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'image/png', 'x-filename': 'error.png' }, body: shot,
      });
      const { id } = (await stored.json()) as { id: string };
      await chat.send({ text: 'SAP shows this error when I post an invoice', attachments: [id] });
      await chat.expectReply(/Shall I go ahead/);
      await chat.send({ choice: 'yes' });
      const number = /INC-\d+/.exec((await chat.expectReply(/Your incident is INC-\d+/)).text)![0];
      const card = await cardOf(number);
      const inThread = await eventually(async () => world.slack.uploadedFiles(TRIAGE, card.ts).find((f) => f.name === 'error.png'), 10_000, 'the report’s file in the thread');
      expect(inThread.data.equals(shot)).toBe(true);
    });

    it('web chat reporter: downloads the agent’s file; their upload appears in the thread', async () => {
      const chat = await new WebchatClient(world.app.url).open();
      await chat.send({ text: 'My docking station does not charge the laptop' });
      await chat.expectReply(/Shall I go ahead/);
      await chat.send({ choice: 'yes' });
      const number = /INC-\d+/.exec((await chat.expectReply(/Your incident is INC-\d+/)).text)![0];
      const card = await cardOf(number);

      const guide = png(3_000, 4);
      await world.shareFiles(TRIAGE, AGENT.id, 'Try the steps in this guide', [{ name: 'guide.pdf', mimetype: 'application/pdf', data: guide }], { threadTs: card.ts });
      const reply = await chat.expectReply(/steps in this guide/);
      expect(reply.author).toBe(`agent:${AGENT.shown}`);
      const att = reply.attachments?.find((a) => a.filename === 'guide.pdf');
      expect(att).toBeDefined();
      const download = await fetch(new URL(att!.url, world.app.url), { headers: { authorization: `Bearer ${chat.token}` } });
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(guide)).toBe(true);

      const upload = png(2_000, 5);
      const stored = await fetch(`${world.app.url}/webchat/v1/conversations/${chat.conversationId}/attachments`, {
        method: 'POST', headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'image/png', 'x-filename': 'dock.png' }, body: upload,
      });
      expect(stored.status).toBe(201);
      const { id } = (await stored.json()) as { id: string };
      await chat.send({ text: 'Here is a photo of the dock', attachments: [id] });
      await world.expectPosted(/\(web chat\): Here is a photo of the dock/, { channel: TRIAGE, threadTs: card.ts });
      const inThread = await eventually(async () => world.slack.uploadedFiles(TRIAGE, card.ts).find((f) => f.name === 'dock.png'), 10_000, 'the upload in the thread');
      expect(inThread.data.equals(upload)).toBe(true);
    });
  });
}
