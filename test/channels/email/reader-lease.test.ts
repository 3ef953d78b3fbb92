import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../channels/email/adapter.js';
import { parseEmailSettings } from '../../../channels/email/settings.js';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, DB_KINDS, postgresAvailable, type TestDatabase } from '../../helpers/databases.js';
import { RecordingChannel } from '../../helpers/recording-channel.js';
import { DovecotServer, findDovecot } from './dovecot.js';
import { SmtpSink } from './smtp-sink.js';
import { mail, SUPPORT } from './world.js';

describe.each(DB_KINDS)('channel state leases ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const channel = new RecordingChannel('leases');
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind, { channels: [channel] });
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('one holder at a time; renewed by its holder, free once released or expired', async () => {
    const { state } = channel.host;
    expect(await state.lease('reader', 'a', 60_000)).toBe(true);
    expect(await state.lease('reader', 'b', 60_000)).toBe(false);
    expect(await state.lease('reader', 'a', 60_000)).toBe(true);
    await state.release('reader', 'b'); // not b's: nothing happens
    expect(await state.lease('reader', 'b', 60_000)).toBe(false);
    await state.release('reader', 'a');
    expect(await state.lease('reader', 'b', 300)).toBe(true);
    expect(await state.lease('reader', 'a', 60_000)).toBe(false);
    await new Promise((r) => setTimeout(r, 400)); // b crashed: its lease runs out
    expect(await state.lease('reader', 'a', 60_000)).toBe(true);
  });

  it.skipIf(skip)('of many instances trying at once, exactly one gets it', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => channel.host.state.lease('contended', `i${i}`, 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

/** Two instances with the email channel on one mailbox and one database (PostgreSQL: PGlite is one process). */
describe.skipIf(!postgresAvailable || !findDovecot())('one mailbox, two instances', () => {
  let db: TestDatabase;
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  let pool: pg.Pool;
  const apps: TestApp[] = [];
  const adapters: EmailAdapter[] = [];
  const handled: number[] = [0, 0];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    pool = new pg.Pool({ connectionString: db.env.DATABASE_URL, max: 1 });
    dovecot = new DovecotServer();
    await dovecot.start();
    sink = new SmtpSink();
    await sink.start();
    for (const i of [0, 1]) {
      const email = new EmailAdapter(
        parseEmailSettings({
          IMAP_HOST: '127.0.0.1', IMAP_PORT: String(dovecot.port), IMAP_SECURE: 'false', IMAP_USER: dovecot.user.user, IMAP_PASSWORD: dovecot.user.pass,
          IMAP_LEASE_MS: '1500', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), SMTP_SECURE: 'false', SUPPORT_ADDRESS: SUPPORT,
        }),
        { smtpTransport: { ignoreTLS: true }, imap: { initialSync: 'all', reconnect: { initialMs: 50, maxMs: 500 }, autoIdleDelayMs: 200, pollIntervalMs: 2_000 } },
      );
      // Counts the mails each instance fetched and handed to the intake.
      const handleMails = email.handleMails.bind(email);
      email.handleMails = async (raws) => {
        handled[i]! += raws.length;
        return handleMails(raws);
      };
      adapters.push(email);
      apps.push(await startTestApp('postgres', { db, channels: [email] }));
    }
  }, 60_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await sink?.stop();
    await dovecot?.destroy();
    await pool?.end();
    await db?.drop();
  });

  const report = (i: number) =>
    mail({ from: `Reporter ${i} <r${i}@example.com>`, subject: `Printer ${i} jams`, messageId: `<lease-${i}@example.com>`, body: `Printer ${i} jams on every page since this morning.` });
  const count = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);

  it('only the lease holder reads; the other stands by, healthy, and takes over when it stops', async () => {
    const details = async () => Promise.all(adapters.map(async (a) => (await a.health()).detail ?? ''));
    const [first, second] = await eventually(async () => {
      const d = await details();
      return d.filter((x) => x.includes('standby')).length === 1 ? d : undefined;
    }, 10_000, 'one reader and one standby');
    const leader = first!.includes('standby') ? 1 : 0;
    const standby = 1 - leader;
    expect((await adapters[standby]!.health()).ok).toBe(true);
    expect([first, second][leader]).toMatch(/imap connected/);

    await dovecot.deliver(Array.from({ length: 10 }, (_, i) => report(i)));
    await eventually(async () => (await count(`SELECT count(*) AS n FROM conversation WHERE channel = 'email'`)) === 10, 20_000, '10 conversations');
    expect(handled[leader]).toBe(10);
    expect(handled[standby]).toBe(0);

    // A clean stop releases the lease: the standby reads from where the checkpoint stands.
    await apps[leader]!.close();
    await adapters[standby]!.whenConnected();
    expect((await adapters[standby]!.health()).detail).toMatch(/imap connected/);
    await dovecot.deliver(Array.from({ length: 5 }, (_, i) => report(10 + i)));
    await eventually(async () => (await count(`SELECT count(*) AS n FROM conversation WHERE channel = 'email'`)) === 15, 20_000, '15 conversations');
    expect(handled[standby]).toBe(5);
    expect(await count(`SELECT count(*) AS n FROM inbound_event WHERE channel = 'email'`)).toBe(15);
  });
});
