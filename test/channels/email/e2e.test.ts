import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../channels/slack/adapter.js';
import { parseSlackSettings } from '../../../channels/slack/settings.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { SlackEmulator } from '../slack/emulator.js';
import { fixturesPresent as slackFixtures } from '../slack/requests.js';
import { AGENT, SECRET, SlackWorld, TRIAGE } from '../slack/world.js';
import { dovecotMissingReason, findDovecot } from './dovecot.js';
import { EmailWorld, mail, threading } from './world.js';

const hasDovecot = findDovecot() !== undefined;
const ANNA = 'anna.strom@example.se';

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !hasDovecot)(`email channel end to end (${kind})${hasDovecot ? '' : ` — ${dovecotMissingReason}`}`, () => {
    let world: EmailWorld;
    let slack: SlackWorld | undefined;
    beforeAll(async () => {
      // With the Slack fixtures present, agents answer from the triage card's thread as well (the issue's case).
      let emulator: SlackEmulator | undefined;
      const channels = [];
      if (slackFixtures) {
        emulator = await new SlackEmulator().start();
        emulator.users.set(AGENT.id, { name: AGENT.name, email: AGENT.email });
        emulator.usergroups.set('S0AGENTS1', [AGENT.id]);
        channels.push(new SlackAdapter(parseSlackSettings({
          SLACK_BOT_TOKEN: 'xoxb-emulated', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: emulator.url,
          SLACK_TRIAGE_CHANNELS: `default=${TRIAGE}`, SLACK_AGENT_GROUPS: 'S0AGENTS1', SLACK_AGENT_NAMES: `${AGENT.email}=${AGENT.shown}`,
        })));
      }
      world = await EmailWorld.start(kind, { channels });
      if (emulator) slack = new SlackWorld(world.app, emulator);
      await world.email.whenConnected();
    }, 60_000);
    afterAll(async () => {
      await world?.close();
      await slack?.slack.stop();
    });

    it('files an incident from a mail, acknowledges it in the thread, relays agent replies and strips Swedish quotes', async () => {
      const root = '<first-1@example.se>';
      await world.deliver(mail({ from: `Anna Ström <${ANNA}>`, subject: 'Skrivaren på plan 3 skriver inte ut', messageId: root, body: 'Hej! Skrivaren på plan 3 har slutat skriva ut sedan i morse.\n\nMvh Anna' }));

      // The numbered confirmation arrives threaded under the reporter's mail, marked automatic.
      // The mail is Swedish, so the bot answers in Swedish (language detected from the first message).
      const confirm = await world.expectMail(ANNA, /Ska jag göra det/);
      const c = threading(confirm);
      expect(c.inReplyTo).toBe(root);
      expect(c.references).toEqual([root]);
      expect(c.subject).toBe('Re: Skrivaren på plan 3 skriver inte ut');
      expect(c.autoSubmitted).toBe('auto-replied');
      expect(confirm.parsed.text).toMatch(/1\. Ja\n2\. Nej/);
      expect(confirm.parsed.text).toContain('Skrivaren på plan 3 har slutat skriva ut');
      expect(confirm.parsed.replyTo?.value[0]?.address).toBe('support@frontline.test');

      // The reporter answers "1" above the quoted confirmation.
      const answer = '<answer-1@example.se>';
      await world.deliver(mail({
        from: `Anna Ström <${ANNA}>`, subject: `Re: ${c.subject.replace(/^Re: /, '')}`, messageId: answer,
        inReplyTo: c.messageId, references: [root, c.messageId],
        body: `1\n\nOn Tue, 4 Mar 2025 at 09:16, IT Support <support@frontline.test> wrote:\n> ${confirm.parsed.text!.split('\n').join('\n> ')}`,
      }));
      const ack = await world.expectMail(ANNA, /Ditt ärende är INC-\d+/);
      const number = /INC-\d+/.exec(ack.parsed.text!)![0];
      const a = threading(ack);
      expect(a.inReplyTo).toBe(answer);
      expect(a.references).toEqual([root, c.messageId, answer]);
      expect(a.subject).toBe(`Re: Skrivaren på plan 3 skriver inte ut [${number}]`);
      expect(await world.count(`SELECT count(*) AS n FROM message WHERE external_id = $1 AND text = 'Ja'`, [answer])).toBe(1); // the label the reporter saw
      const incident = await world.app.frontline.incidents.get(world.app.frontline.db.prisma, number);
      expect(incident.title).toBe('Skrivaren på plan 3 skriver inte ut');
      expect(incident.description).toContain('slutat skriva ut sedan i morse');

      // An agent answers through the REST API: a threaded, non-automatic mail with the token.
      const api = await fetch(`${world.app.url}/api/v1/incidents/${number}/comments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${world.app.tokens.agent}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Vilken skrivare gäller det, den vid köket?', internal: false }),
      });
      expect(api.status).toBeLessThan(300);
      const reply = await world.expectMail(ANNA, /den vid köket/);
      const r = threading(reply);
      expect(r.subject).toBe(`Re: Skrivaren på plan 3 skriver inte ut [${number}]`);
      expect(r.inReplyTo).toBe(answer);
      expect(r.references[0]).toBe(root);
      expect(r.autoSubmitted).toBeUndefined();
      expect(reply.parsed.text).toContain('agent-tester');

      let lastOurs = r.messageId;
      let refs = [root, c.messageId, answer, r.messageId];
      if (slack) {
        // An agent's reply in the Slack card thread reaches the reporter as a threaded mail, too.
        const card = await eventually(async () => slack!.slack.botMessages(TRIAGE).find((m) => m.text.includes(number) && m.metadata), 10_000, 'the card');
        // With a file shared in the thread: it arrives attached to the mail, byte for byte.
        const photo = Buffer.from('%PDF-1.4\nHP LaserJet floor 3 – location map\n%%EOF\n');
        await slack.shareFiles(TRIAGE, AGENT.id, 'Är det HP-skrivaren vid fönstret?', [{ name: 'skrivare-karta.pdf', mimetype: 'application/pdf', data: photo }], { threadTs: card.ts });
        const fromSlack = await world.expectMail(ANNA, /HP-skrivaren vid fönstret/);
        const s = threading(fromSlack);
        expect(s.subject).toBe(`Re: Skrivaren på plan 3 skriver inte ut [${number}]`);
        expect(s.inReplyTo).toBe(answer);
        expect(fromSlack.parsed.text).toContain(AGENT.shown);
        const attached = fromSlack.parsed.attachments.find((f) => f.filename === 'skrivare-karta.pdf');
        expect(attached?.contentType).toBe('application/pdf');
        expect(attached?.content.equals(photo)).toBe(true);
        lastOurs = s.messageId;
        refs = [...refs, s.messageId];
      }

      // The reporter answers in Swedish above Outlook's/Gmail's quoted history.
      const swedish = '<svar-1@example.se>';
      await world.deliver(mail({
        from: `Anna Ström <${ANNA}>`, subject: `SV: Re: Skrivaren på plan 3 skriver inte ut [${number}]`, messageId: swedish,
        inReplyTo: lastOurs, references: refs,
        body: 'Ja, den vid fönstret. Den blinkar orange.\n\nDen tis 4 mars 2025 kl 10:02 skrev IT Support <support@frontline.test>:\n> Vilken skrivare gäller det, den vid köket?\n>\n> Tidigare meddelande',
      }));
      const thanks = await world.expectMail(ANNA, /lagt till det i ditt ärende/);
      expect(threading(thanks).inReplyTo).toBe(swedish);
      const stored = await world.app.frontline.db.pool.query<{ text: string }>('SELECT text FROM message WHERE external_id = $1', [swedish]);
      expect(stored.rows.map((x) => x.text)).toEqual(['Ja, den vid fönstret. Den blinkar orange.']);
      const res = await fetch(`${world.app.url}/api/v1/incidents/${number}`, { headers: { authorization: `Bearer ${world.app.tokens.agent}` } });
      const { timeline } = (await res.json()) as { timeline: { type: string; body: string | null }[] };
      expect(timeline).toContainEqual(expect.objectContaining({ type: 'reporter_message', body: 'Ja, den vid fönstret. Den blinkar orange.' }));
      if (slack) {
        const line = await slack.expectPosted(/Den blinkar orange/, { channel: TRIAGE });
        expect(line.text).not.toContain('skrev');
      }

      // One conversation for the whole thread; exactly one incident.
      expect(await world.count(`SELECT count(*) AS n FROM conversation WHERE channel = 'email'`)).toBe(1);
      expect(await world.count('SELECT count(*) AS n FROM incident')).toBe(1);
    }, 60_000);

    it('never answers an out-of-office reply, and a bounce of our mail holds back further mail to that address', async () => {
      const bob = 'bob@example.org';
      await world.deliver(mail({ from: bob, subject: 'VPN fungerar inte hemifrån', messageId: '<bob-1@example.org>', body: 'VPN-klienten säger "authentication failed" sedan i går.' }));
      const confirm = await world.expectMail(bob, /Ska jag göra det/);
      const sentBefore = world.sink.received.length;
      await world.deliver(mail({
        from: bob, subject: 'Automatic reply: VPN fungerar inte hemifrån', messageId: '<bob-ooo@example.org>',
        inReplyTo: threading(confirm).messageId, headers: ['Auto-Submitted: auto-replied'], body: 'I am out of office until Monday.',
      }));
      // A bounce of the confirmation (multipart/report) naming bob as failed recipient.
      await world.deliver([
        'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>', `To: ${'support@frontline.test'}`, 'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <bounce-1@mx.example.org>', 'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"', '',
        '--r', 'Content-Type: text/plain', '', 'Delivery failed.', '--r', 'Content-Type: message/delivery-status', '',
        'Reporting-MTA: dns; mx.example.org', '', `Final-Recipient: rfc822; ${bob}`, 'Action: failed', 'Status: 5.1.1', '',
        '--r', 'Content-Type: text/rfc822-headers', '', `Message-ID: ${threading(confirm).messageId}`, `To: ${bob}`, '--r--', '',
      ].join('\r\n'));
      await eventually(async () => (await world.app.frontline.db.pool.query(`SELECT 1 FROM channel_identity WHERE channel = 'email' AND external_id = $1 AND failing_since IS NOT NULL`, [bob])).rowCount === 1, 10_000, 'the bounce mark on the contact');
      // An agent-side message to bob is now dead-lettered with a clear reason instead of being sent.
      const conversation = await world.app.frontline.db.pool.query<{ id: string }>(`SELECT id::text FROM conversation WHERE channel = 'email' AND reference->>'to' = $1`, [bob]);
      await world.app.frontline.pipeline.transaction(async (tx) => {
        const { enqueueMessage } = await import('../../../src/outbox/enqueue.js');
        await enqueueMessage(tx, { id: conversation.rows[0]!.id, channel: 'email' }, { text: 'Are you still there?', author: { kind: 'agent', name: 'Maria' } });
      });
      world.app.frontline.dispatcher.kick();
      const dead = await eventually(async () => (await world.app.frontline.db.pool.query<{ last_error: string }>(`SELECT last_error FROM outbox_message WHERE status = 'dead' AND channel = 'email'`)).rows[0], 10_000, 'a dead-lettered mail');
      expect(dead.last_error).toMatch(/bob@example.org bounced \(5\.1\.1\)/);
      expect(world.sink.received.length).toBe(sentBefore);
      expect(world.sink.received.some((m) => m.envelope.to.includes(bob) && /out of office|still there/i.test(m.parsed.text ?? ''))).toBe(false);
    }, 30_000);
  });
}
