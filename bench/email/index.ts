/**
 * `npm run bench -- email [--n 300] [--db pglite|postgres] [--concurrency 8] [--no-send]`: mails/s through the email channel, from a mail being
 * picked up in Dovecot to its incident filed and the acknowledgement queued, next to the raw imapflow
 * fetch+parse rate of the same mails measured in the same run. Writes bench/results/email.json.
 *
 * Each of the N reporters sends two mails: the problem (→ numbered confirmation queued) and "yes" as a reply
 * (In-Reply-To the first mail) → incident filed and "Your incident is INC-…" queued. So 2N mails, N incidents.
 * The outbox delivers the 3N+N replies to an SMTP sink meanwhile, as in production.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import { parseEmail } from '../../channels/email/parse.js';
import { eventually } from '../../test/helpers/app.js';
import { postgresAvailable, type DbKind } from '../../test/helpers/databases.js';
import { DovecotServer, dovecotMissingReason, findDovecot } from '../../test/channels/email/dovecot.js';
import { EmailWorld, mail } from '../../test/channels/email/world.js';

async function rawFetchParse(server: DovecotServer, expected: number): Promise<{ mails: number; seconds: number }> {
  const client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: server.user, logger: false });
  await client.connect();
  const started = performance.now();
  let mails = 0;
  const lock = await client.getMailboxLock('INBOX');
  try {
    // Batches of 50, like the intake.
    for (let from = 1; from <= expected; from += 50) {
      const sources: Buffer[] = [];
      for await (const m of client.fetch(`${from}:${Math.min(from + 49, expected)}`, { uid: true, source: true })) if (m.source) sources.push(m.source);
      for (const source of sources) {
        await parseEmail(source);
        mails++;
      }
    }
  } finally {
    lock.release();
    await client.logout();
  }
  return { mails, seconds: (performance.now() - started) / 1000 };
}

export default async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { n: { type: 'string', default: '300' }, db: { type: 'string', default: 'pglite' }, 'no-send': { type: 'boolean', default: false }, concurrency: { type: 'string', default: '8' } } });
  const concurrency = Number(values.concurrency);
  const n = Number(values.n);
  const kind = values.db as DbKind;
  if (!findDovecot()) {
    console.log(`email: ${dovecotMissingReason}; nothing to measure`);
    return;
  }
  if (kind === 'postgres' && !postgresAvailable) {
    console.log('email: PostgreSQL unreachable; use --db pglite');
    return;
  }
  const firsts = Array.from({ length: n }, (_, i) =>
    mail({ from: `Reporter ${i} <reporter${i}@example.com>`, subject: `Printer ${i} on floor 3 jams`, messageId: `<bench-${i}@example.com>`, body: `Printer ${i} jams on every page since this morning.\n\nRegards\nReporter ${i}` }),
  );
  const answers = Array.from({ length: n }, (_, i) =>
    mail({ from: `Reporter ${i} <reporter${i}@example.com>`, subject: `Re: Printer ${i} on floor 3 jams`, messageId: `<bench-yes-${i}@example.com>`, inReplyTo: `<bench-${i}@example.com>`, references: [`<bench-${i}@example.com>`], body: 'yes\n\nOn Tue, 4 Mar 2025 at 09:16, IT Support <support@frontline.test> wrote:\n> Shall I go ahead?' }),
  );

  // Raw rate first, on a mailbox of its own holding the same 2N mails.
  const raw = new DovecotServer();
  await raw.start();
  await raw.deliver([...firsts, ...answers]);
  const rawResult = await rawFetchParse(raw, 2 * n);
  await raw.destroy();

  // End to end: the channel is connected and idle; the mails arrive (APPEND) while it works through them.
  const world = await EmailWorld.start(kind, {
    env: { LOG_LEVEL: 'silent' },
    adapter: { smtpTransport: { ignoreTLS: true }, imap: { initialSync: 'all', reconnect: { initialMs: 50, maxMs: 500 }, autoIdleDelayMs: 200, pollIntervalMs: 2_000, concurrency } },
  });
  try {
    await world.email.whenConnected();
    // --no-send: replies stay queued; shows what the outbox (SMTP, and the sink in this process) costs the intake.
    if (values['no-send']) await world.app.frontline.dispatcher.stop();
    // Wall time during which at least one mail handler (parse, threading, intake pipeline) was running, vs. the
    // IMAP bookkeeping around it; mails of different conversations are handled concurrently.
    let handlerMs = 0;
    let active = 0;
    let since = 0;
    const handle = world.email.handleMail.bind(world.email);
    world.email.handleMail = async (raw) => {
      if (active++ === 0) since = performance.now();
      try {
        return await handle(raw);
      } finally {
        if (--active === 0) handlerMs += performance.now() - since;
      }
    };
    // CPU of this process (channel, intake, outbox, and the test SMTP sink) per mail: steadier than wall time
    // on a shared machine.
    const cpuBefore = process.cpuUsage();
    await world.deliver(...firsts, ...answers);
    const filed = () => world.count(`SELECT count(*) AS n FROM message WHERE direction = 'out' AND text LIKE '%Your incident is INC-%'`);
    await eventually(async () => (await filed()) >= n, 30 * 60_000, `${n} acknowledgements`);
    const { rows } = await world.app.frontline.db.pool.query<{ first: Date; last: Date; incidents: string }>(
      `SELECT (SELECT min(received_at) FROM inbound_event WHERE channel = 'email') AS first,
              (SELECT max(created_at) FROM message WHERE direction = 'out' AND text LIKE '%Your incident is INC-%') AS last,
              (SELECT count(*) FROM incident) AS incidents`,
    );
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerMail = +((cpu.user + cpu.system) / 1000 / (2 * n)).toFixed(2);
    const span = (rows[0]!.last.getTime() - rows[0]!.first.getTime()) / 1000;
    const endToEnd = { mails: 2 * n, incidents: Number(rows[0]!.incidents), seconds: +span.toFixed(2), mailsPerSecond: +((2 * n) / span).toFixed(1), incidentsPerSecond: +(n / span).toFixed(1) };
    const rawRow = { mails: rawResult.mails, seconds: +rawResult.seconds.toFixed(2), mailsPerSecond: +(rawResult.mails / rawResult.seconds).toFixed(1) };
    const ratio = +(endToEnd.mailsPerSecond / rawRow.mailsPerSecond).toFixed(3);
    console.log(`email channel, ${n} reporters × 2 mails (problem, then "yes"), database ${kind}, ${concurrency} mails at a time${values['no-send'] ? ', outbox stopped' : ''}`);
    console.table([
      { stage: 'raw imapflow fetch + parseEmail', ...rawRow },
      { stage: 'mail picked up → incident filed + ack queued', mails: endToEnd.mails, seconds: endToEnd.seconds, mailsPerSecond: endToEnd.mailsPerSecond },
    ]);
    console.log(`time with a mail handler running (parse + threading + intake pipeline): ${(handlerMs / 1000).toFixed(2)} s of ${endToEnd.seconds} s`);
    console.log(`process CPU per mail: ${cpuMsPerMail} ms (user+system, whole process)`);
    console.log(`incidents filed: ${endToEnd.incidents} (${endToEnd.incidentsPerSecond}/s); end-to-end / raw = ${(ratio * 100).toFixed(1)} % (target ≥ 60 %)`);
    const out = path.resolve(import.meta.dirname, '../results/email.json');
    mkdirSync(path.dirname(out), { recursive: true });
    // One entry per database, so the PGlite and PostgreSQL runs sit side by side.
    const run = { measuredAt: new Date().toISOString(), n, db: kind, concurrency, outboxSending: !values['no-send'], handlerSeconds: +(handlerMs / 1000).toFixed(2), cpuMsPerMail, raw: rawRow, endToEnd, ratio, target: 0.6 };
    let previous: { runs?: Record<string, unknown> } = {};
    try {
      previous = JSON.parse(readFileSync(out, 'utf8')) as typeof previous;
    } catch {
      // first run
    }
    writeFileSync(out, `${JSON.stringify({ runs: { ...previous.runs, [kind]: run } }, null, 2)}\n`);
  } finally {
    await world.close();
  }
}
