import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEmail } from '../../../channels/email/parse.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { dovecotMissingReason, findDovecot } from './dovecot.js';
import { bounceDir, hasShared, missingShared } from './shared-fixtures.js';
import { EmailWorld, mail, threading } from './world.js';

const hasDovecot = findDovecot() !== undefined;

/**
 * A real bounce from the sisimai corpus, rewritten so that it reports a mail we sent (`ourId`) to `address`:
 * the original Message-ID and the failed recipient are replaced wherever they occur. Parsed again to prove the
 * rewrite still yields what the intake reads.
 */
async function rewrittenBounce(file: string, ourId: string, address: string): Promise<{ raw: string; status: string }> {
  const original = readFileSync(path.join(bounceDir, file));
  const parsed = await parseEmail(original);
  const info = parsed.bounce!;
  const [recipient] = info.recipients;
  const bare = (id: string) => id.slice(1, -1);
  let raw = original.toString('latin1').split(bare(info.originalMessageId!)).join(bare(ourId));
  raw = raw.replace(new RegExp(recipient!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), address);
  const check = await parseEmail(Buffer.from(raw, 'latin1'));
  expect(check.isBounce).toBe(true);
  expect(check.bounce?.originalMessageId).toBe(ourId);
  expect(check.bounce?.recipients).toEqual([address]);
  return { raw, status: check.bounce!.status! };
}

interface IdentityRow { failing_since: Date | null; last_bounce_status: string | null; last_bounce_reason: string | null; bounce_count: number }

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !hasDovecot || !hasShared)(
    `a bounce of our own mail marks the address failing on the contact (${kind})${!hasDovecot ? ` — ${dovecotMissingReason}` : !hasShared ? ` — ${missingShared}` : ''}`,
    () => {
      let world: EmailWorld;
      beforeAll(async () => {
        world = await EmailWorld.start(kind);
        await world.email.whenConnected();
      }, 60_000);
      afterAll(async () => world?.close());

      const identity = async (address: string) =>
        (await world.app.frontline.db.pool.query<IdentityRow>(
          `SELECT failing_since, last_bounce_status, last_bounce_reason, bounce_count FROM channel_identity WHERE channel = 'email' AND external_id = $1`,
          [address],
        )).rows[0]!;

      /** A reporter files an incident by mail; returns the acknowledgement (a mail we sent) and the incident number. */
      async function fileIncident(address: string, tag: string): Promise<{ ackId: string; number: string }> {
        await world.deliver(mail({ from: address, subject: `Printer ${tag} jams`, messageId: `<${tag}-1@example.org>`, body: `The printer ${tag} jams on every page.` }));
        const confirm = await world.expectMail(address, /Shall I|go ahead/i);
        await world.deliver(mail({ from: address, subject: `Re: Printer ${tag} jams`, messageId: `<${tag}-2@example.org>`, inReplyTo: threading(confirm).messageId, body: 'yes' }));
        const ack = await world.expectMail(address, /INC-\d+/);
        return { ackId: threading(ack).messageId, number: /INC-\d+/.exec(ack.parsed.text ?? '')![0] };
      }

      it('hard bounces (Postfix, Office 365, Exchange) set the status, stop further mail with a clear reason, and clear when the person writes again', async () => {
        const dave = 'dave@example.org';
        const { ackId, number } = await fileIncident(dave, 'dave');
        const incidentsBefore = await world.count('SELECT count(*) AS n FROM incident');
        const sentBefore = world.sink.received.length;
        const fixtures = ['lhost-postfix-04.eml', 'lhost-office365-11.eml', 'lhost-exchange2007-02.eml'];
        for (const [i, file] of fixtures.entries()) {
          const bounce = await rewrittenBounce(file, ackId, dave);
          await world.deliver(bounce.raw);
          await eventually(async () => (await identity(dave)).bounce_count === i + 1, 15_000, `bounce ${file} recorded`);
          const row = await identity(dave);
          expect(row.failing_since).toBeInstanceOf(Date);
          expect(row.last_bounce_status).toBe(bounce.status);
          expect(row.last_bounce_reason).toMatch(/5\.\d\.\d/);
        }
        // Bounces never open an incident, a conversation or a reply.
        expect(await world.count('SELECT count(*) AS n FROM incident')).toBe(incidentsBefore);
        expect(await world.count(`SELECT count(*) AS n FROM conversation WHERE channel = 'email' AND reference->>'to' <> $1`, [dave])).toBe(0);
        expect(world.sink.received.length).toBe(sentBefore);

        // The API shows the failing address on the incident.
        const headers = { authorization: `Bearer ${world.app.tokens.agent}`, 'content-type': 'application/json' };
        const shown = (await (await fetch(`${world.app.url}/api/v1/incidents/${number}`, { headers })).json()) as { reporterDelivery: { address: string; status: string; count: number; hard: boolean; reason: string }[] };
        expect(shown.reporterDelivery).toEqual([expect.objectContaining({ address: dave, status: '5.2.2', count: 3, hard: true })]);
        expect(shown.reporterDelivery[0]!.reason).toMatch(/mailbox full/i);

        // An agent's reply is not mailed: the outbox row is dead with the reason, not retried.
        const reply = await fetch(`${world.app.url}/api/v1/incidents/${number}/comments`, { method: 'POST', headers, body: JSON.stringify({ text: 'Is it working now?' }) });
        expect(reply.status).toBeLessThan(300);
        const dead = await eventually(
          async () => (await world.app.frontline.db.pool.query<{ last_error: string; attempts: number }>(`SELECT last_error, attempts FROM outbox_message WHERE status = 'dead' AND channel = 'email'`)).rows[0],
          15_000,
          'a dead-lettered mail',
        );
        expect(dead.last_error).toMatch(/dave@example.org bounced \(5\.2\.2\)/);
        expect(dead.attempts).toBe(1);
        expect(world.sink.received.some((m) => m.envelope.to.includes(dave) && /working now/.test(m.parsed.text ?? ''))).toBe(false);

        // Dave writes again: the address works, the mark is gone, mail flows.
        const toDave = () => world.sink.received.filter((m) => m.envelope.to.includes(dave)).length;
        const mailedBefore = toDave();
        await world.deliver(mail({ from: dave, subject: `Re: Printer dave jams [${number}]`, messageId: '<dave-3@example.org>', inReplyTo: ackId, body: 'My mailbox had filled up, sorry. It still jams.' }));
        await eventually(async () => (await identity(dave)).failing_since === null, 15_000, 'the mark cleared');
        expect((await identity(dave)).bounce_count).toBe(3); // history kept
        await eventually(async () => toDave() > mailedBefore, 15_000, 'mail to dave flows again');
        const after = (await (await fetch(`${world.app.url}/api/v1/incidents/${number}`, { headers })).json()) as { reporterDelivery: unknown[] };
        expect(after.reporterDelivery).toEqual([]);
      }, 90_000);

      it('a transient (4.x.x) bounce marks the address but mail is still sent, and an accepted mail clears it', async () => {
        const erin = 'erin@example.org';
        await world.deliver(mail({ from: erin, subject: 'Wi-Fi drops on floor 2', messageId: '<erin-1@example.org>', body: 'The Wi-Fi drops every ten minutes on floor 2.' }));
        const confirm = await world.expectMail(erin, /Shall I|go ahead/i);
        const bounce = await rewrittenBounce('lhost-opensmtpd-15.eml', threading(confirm).messageId, erin);
        expect(bounce.status).toMatch(/^4\./);
        await world.deliver(bounce.raw);
        await eventually(async () => (await identity(erin)).failing_since !== null, 15_000, 'soft bounce recorded');
        // The next bot mail still goes out (a transient failure), and its acceptance clears the mark.
        const conversation = await world.app.frontline.db.pool.query<{ id: string }>(`SELECT id::text FROM conversation WHERE channel = 'email' AND reference->>'to' = $1`, [erin]);
        const { enqueueMessage } = await import('../../../src/outbox/enqueue.js');
        await world.app.frontline.pipeline.transaction((tx) => enqueueMessage(tx, { id: conversation.rows[0]!.id, channel: 'email' }, { text: 'Any better today?', author: { kind: 'agent', name: 'Maria' } }));
        world.app.frontline.dispatcher.kick();
        await world.expectMail(erin, /Any better today/);
        await eventually(async () => (await identity(erin)).failing_since === null, 15_000, 'cleared after an accepted mail');
      }, 60_000);

      it('ignores a real bounce that does not name a Message-ID we sent', async () => {
        const gina = 'gina@example.org';
        await world.deliver(mail({ from: gina, subject: 'Laptop will not boot', messageId: '<gina-1@example.org>', body: 'My laptop shows a black screen.' }));
        await world.expectMail(gina, /Shall I|go ahead/i);
        const foreign = await rewrittenBounce('lhost-postfix-03.eml', '<not-ours-123@elsewhere.example>', gina);
        const bounces = async () => Number(/bounce (\d+)/.exec((await world.email.health()).detail ?? '')?.[1] ?? 0);
        const before = await bounces();
        await world.deliver(foreign.raw);
        // Wait until the bounce was processed (and dropped), then check nothing was marked.
        await eventually(async () => (await bounces()) > before, 15_000, 'the bounce processed');
        expect((await identity(gina)).failing_since).toBeNull();
      }, 60_000);
    },
  );
}
