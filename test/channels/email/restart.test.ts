import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { dovecotMissingReason, findDovecot } from './dovecot.js';
import { EmailWorld, mail } from './world.js';

const hasDovecot = findDovecot() !== undefined;
/** Mails in the stream; the issue asks for 500. */
const STREAM_N = Number(process.env.FRONTLINE_TEST_IMAP_STREAM_N ?? 500);
/** PostgreSQL too when asked (FRONTLINE_TEST_EMAIL_RESTART_ALL=1): the PGlite run covers the IMAP side already. */
const kinds = DB_KINDS.filter((k) => k.kind === 'pglite' || process.env.FRONTLINE_TEST_EMAIL_RESTART_ALL);

for (const { kind, skip } of kinds) {
  describe.skipIf(skip || !hasDovecot)(`email intake across a Dovecot restart (${kind})${hasDovecot ? '' : ` — ${dovecotMissingReason}`}`, () => {
    let world: EmailWorld;
    beforeAll(async () => {
      // 50 mails per reporter: the per-sender limit is off here (it has its own test).
      world = await EmailWorld.start(kind, { env: { EMAIL_SENDER_RATE_LIMIT: '0' } });
      // Intake is under test: replies stay queued, so the outbox does not compete with it for the database.
      await world.app.frontline.dispatcher.stop();
      await world.email.whenConnected();
    }, 60_000);
    afterAll(async () => {
      await world?.close();
    });

    const inbound = () => world.count(`SELECT count(*) AS n FROM message WHERE direction = 'in'`);

    it(`loses and duplicates nothing end to end when Dovecot restarts in the middle of ${STREAM_N} mails`, async () => {
      // Ten reporters open a conversation each; the rest of the stream are their replies in those threads (the
      // cheaper path of the pipeline, which keeps the suite fast — the IMAP side is what the restart tests).
      const roots = Array.from({ length: 10 }, (_, r) => `<stream-${r}@example.com>`);
      const mails = Array.from({ length: STREAM_N }, (_, i) => {
        const r = i % 10;
        return i < 10
          ? mail({ from: `user${r}@example.com`, subject: `Laptop ${r} will not boot`, messageId: roots[r]!, body: `Laptop number ${r} shows a black screen after the logo.` })
          : mail({ from: `user${r}@example.com`, subject: `Re: Laptop ${r} will not boot`, messageId: `<stream-${i}@example.com>`, inReplyTo: roots[r]!, references: [roots[r]!], body: `Still black, try ${i}.` });
      });
      const half = Math.floor(STREAM_N / 2);
      await world.deliver(...mails.slice(0, half));
      await eventually(async () => (await inbound()) >= Math.min(20, half), 30_000, 'the first mails');
      const atRestart = await inbound();
      await world.dovecot!.restart();
      // The restart must hit the middle of the stream for this test to mean anything.
      expect(atRestart).toBeLessThan(half);
      await world.deliver(...mails.slice(half));
      await eventually(async () => (await inbound()) >= STREAM_N, 240_000, `${STREAM_N} inbound messages`);
      await new Promise((r) => setTimeout(r, 1_000)); // a duplicate would arrive now
      const { rows } = await world.app.frontline.db.pool.query<{ external_id: string; n: string }>(
        `SELECT external_id, count(*) AS n FROM message WHERE direction = 'in' GROUP BY external_id`,
      );
      expect(rows.length).toBe(STREAM_N);
      expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
      expect(new Set(rows.map((r) => r.external_id))).toEqual(new Set(mails.map((_, i) => `<stream-${i}@example.com>`)));
      expect(await world.count(`SELECT count(*) AS n FROM conversation WHERE channel = 'email'`)).toBe(10);
      expect((await world.email.health()).detail).toMatch(/imap connected \(\d+ mails, [1-9]\d* reconnects/);
    }, 300_000);
  });
}
