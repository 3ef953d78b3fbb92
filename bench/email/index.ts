/**
 * `npm run bench -- email [--n 1000] [--db pglite|postgres] [--round-size 250] [--runs 3] [--live [--no-send]]`: mails/s through
 * the email channel, "arrival to incident filed and acknowledgement queued", next to the raw imapflow
 * fetch+parse rate of the same mails measured in the same run. Writes bench/results/email.json (runs keyed by db).
 *
 * Each of the N reporters sends two mails: the problem (→ numbered confirmation queued) and "yes" as a reply
 * (In-Reply-To the first mail) → incident filed and "Your incident is INC-…" queued. So 2N mails, N incidents.
 *
 * Default ("backlog"), measured like the raw run: all 2N mails wait in another folder while the service starts;
 * once it is up and idle on the inbox they land there with one MOVE, and the time runs from that MOVE until the
 * last round of mail is handled (its acknowledgements are committed with it), with the outbox dispatcher
 * stopped. Start-up is left out as the raw run leaves out connecting. Like the raw rate, the channel is measured
 * `--runs` times (default 3) and the median counts: each run has N reporters of its own and its own backlog
 * folder, moved in turn into the inbox of the same running service (so the first run also pays for cold code
 * and caches, as the raw rate's first run does). Afterwards the dispatcher starts and the time to deliver all
 * queued replies to the SMTP sink (a process of its own, bench/email/sink.ts) is reported on its own line.
 * `--live`: the channel is connected and idle, the mails are APPENDed while it works and the outbox sends as in
 * production (`--no-send` keeps it stopped); timed from the first inbound event to the last acknowledgement.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import { EmailAdapter } from '../../channels/email/adapter.js';
import { parseEmail } from '../../channels/email/parse.js';
import { parseEmailSettings } from '../../channels/email/settings.js';
import { createFrontline, type Frontline } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { eventually } from '../../test/helpers/app.js';
import { createTestDatabase, postgresAvailable, type DbKind } from '../../test/helpers/databases.js';
import { DovecotServer, dovecotMissingReason, findDovecot } from '../../test/channels/email/dovecot.js';
import { cpuSince, sampleCpu, type CpuReport } from './cpu.js';
import { mail, SUPPORT } from '../../test/channels/email/world.js';

async function rawFetchParse(server: DovecotServer, expected: number, batch: number): Promise<{ mails: number; seconds: number }> {
  const client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: server.user, logger: false });
  await client.connect();
  const started = performance.now();
  let mails = 0;
  const lock = await client.getMailboxLock('INBOX');
  try {
    // Batches of the channel's size.
    for (let from = 1; from <= expected; from += batch) {
      const sources: Buffer[] = [];
      for await (const m of client.fetch(`${from}:${Math.min(from + batch - 1, expected)}`, { uid: true, source: true })) if (m.source) sources.push(m.source);
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

/**
 * BENCH_PROFILE=<file.cpuprofile>: a CPU profile of this process over the timed window only (set-up, the raw
 * run and the outbox drain left out), for Chrome DevTools or any .cpuprofile viewer.
 */
const profiler = process.env.BENCH_PROFILE ? windowProfiler(process.env.BENCH_PROFILE) : undefined;

function windowProfiler(file: string): { start(): void; stop(): Promise<void> } {
  const session = new Session();
  return {
    start() {
      session.connect();
      session.post('Profiler.enable', () => session.post('Profiler.start'));
    },
    stop: () =>
      new Promise((resolve, reject) => {
        session.post('Profiler.stop', (err, result) => {
          if (err) return reject(err);
          writeFileSync(file, JSON.stringify(result.profile));
          session.disconnect();
          console.log(`CPU profile of the timed window: ${file}`);
          resolve();
        });
      }),
  };
}

/** A Frontline instance with the email channel on `dovecot`; its outbox delivers only when `dispatch`. */
/** bench/email/sink.ts running: its port and how many mails it has received so far. */
interface RemoteSink {
  port: number;
  readonly received: number;
  stop(): Promise<void>;
}

async function startSink(): Promise<RemoteSink> {
  const child = spawn(process.execPath, [...process.execArgv, path.join(import.meta.dirname, 'sink.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  let received = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited (${code})`)));
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { port?: number; received?: number };
      if (msg.port !== undefined) resolve(msg.port);
      if (msg.received !== undefined) received = msg.received;
    });
  });
  return {
    port,
    get received() {
      return received;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

async function startFrontline(kind: DbKind, dovecot: DovecotServer, sink: RemoteSink, dispatch: boolean, roundSize: number) {
  const db = await createTestDatabase(kind);
  const email = new EmailAdapter(
    parseEmailSettings({
      IMAP_HOST: '127.0.0.1', IMAP_PORT: String(dovecot.port), IMAP_SECURE: 'false', IMAP_USER: dovecot.user.user, IMAP_PASSWORD: dovecot.user.pass,
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), SMTP_SECURE: 'false', SUPPORT_ADDRESS: `"IT Support" <${SUPPORT}>`,
    }),
    { smtpTransport: { ignoreTLS: true }, imap: { initialSync: 'all', reconnect: { initialMs: 50, maxMs: 500 }, autoIdleDelayMs: 200, pollIntervalMs: 2_000, roundSize, batchSize: roundSize } },
  );
  // What the timing needs: when the window started (set by the caller), and how long and how much the intake handled.
  const probe = { startedAt: 0, mails: 0, rounds: 0, handlerMs: 0, firstRoundAt: 0, lastDoneAt: 0 };
  const handleMails = email.handleMails.bind(email);
  email.handleMails = async (raws) => {
    const began = epochNow();
    probe.firstRoundAt ||= began;
    const outcomes = await handleMails(raws);
    probe.lastDoneAt = epochNow();
    probe.handlerMs += probe.lastDoneAt - began;
    probe.mails += raws.length;
    probe.rounds++;
    return outcomes;
  };
  const config = loadConfig({
    NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', OUTBOX_POLL_MS: '50', OUTBOX_BASE_DELAY_MS: '20', OUTBOX_MAX_DELAY_MS: '2000',
    FRONTLINE_DIALOG: 'report-incident', ...db.env,
  });
  const frontline: Frontline = await createFrontline(config, { channels: [email], dispatch });
  return {
    frontline, email, probe,
    count: async (sql: string) => Number((await frontline.db.pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0),
    close: async () => {
      await frontline.close();
      await db.drop();
    },
  };
}

/** Backlog folder of run k (1-based). */
const backlog = (k: number) => `Backlog-${k}`;
/** Wall clock in ms with sub-ms precision, comparable across processes (the mover's timestamps). */
const epochNow = () => performance.timeOrigin + performance.now();

/** Starts bench/email/mover.ts logged in on the backlog folder; `move()` runs the MOVE and tells when it committed. */
async function startMover(dovecot: DovecotServer, folder: string): Promise<{ move(): Promise<{ issuedAt: number; doneAt: number }> }> {
  const { user, pass } = dovecot.user;
  const child = spawn(process.execPath, [...process.execArgv, path.join(import.meta.dirname, 'mover.ts'), '127.0.0.1', String(dovecot.port), user, pass, folder], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the mover exited early');
    return String(value);
  };
  if ((await next()) !== 'ready') throw new Error('the mover did not log in');
  return {
    async move() {
      const issuedAt = epochNow();
      child.stdin.write('go\n');
      const { doneAt } = JSON.parse(await next()) as { doneAt: number };
      child.stdin.end();
      return { issuedAt, doneAt };
    },
  };
}

const ACKS = `SELECT count(*) AS n FROM message WHERE direction = 'out' AND text LIKE '%Your incident is INC-%'`;
const rate = (mails: number, seconds: number) => ({ mails, seconds: +seconds.toFixed(2), mailsPerSecond: +(mails / seconds).toFixed(1) });

export default async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { n: { type: 'string', default: '1000' }, db: { type: 'string', default: 'pglite' }, live: { type: 'boolean', default: false }, 'no-send': { type: 'boolean', default: false }, 'round-size': { type: 'string', default: '250' }, runs: { type: 'string', default: '3' } },
  });
  const n = Number(values.n);
  const kind = values.db as DbKind;
  const roundSize = Number(values['round-size']);
  const mode = values.live ? 'live' : 'backlog';
  // Backlog mode measures the channel as often as the raw rate (median of 3 by default), each run with reporters
  // of its own on the same running service; live mode runs once.
  const runs = mode === 'live' ? 1 : Math.max(1, Number(values.runs));
  if (!findDovecot()) {
    console.log(`email: ${dovecotMissingReason}; nothing to measure`);
    return;
  }
  if (kind === 'postgres' && !postgresAvailable) {
    console.log('email: PostgreSQL unreachable; use --db pglite');
    return;
  }
  /** Run r's 2N mails (r from 0): N reporters of its own, each with the problem, then "yes" as a reply. */
  const mailsOf = (r: number) => {
    const ids = Array.from({ length: n }, (_, j) => r * n + j);
    return [
      ...ids.map((i) => mail({ from: `Reporter ${i} <reporter${i}@example.com>`, subject: `Printer ${i} on floor 3 jams`, messageId: `<bench-${i}@example.com>`, body: `Printer ${i} jams on every page since this morning.\n\nRegards\nReporter ${i}` })),
      ...ids.map((i) => mail({ from: `Reporter ${i} <reporter${i}@example.com>`, subject: `Re: Printer ${i} on floor 3 jams`, messageId: `<bench-yes-${i}@example.com>`, inReplyTo: `<bench-${i}@example.com>`, references: [`<bench-${i}@example.com>`], body: 'yes\n\nOn Tue, 4 Mar 2025 at 09:16, IT Support <support@frontline.test> wrote:\n> Shall I go ahead?' })),
    ];
  };

  // Raw rate first, on a mailbox of its own holding the same 2N mails.
  const raw = new DovecotServer();
  await raw.start();
  await raw.deliver(mailsOf(0));
  // Three times, the median counts: on a shared 2-core machine one run varies by ±30 %, and the first warms the
  // parser's code (the channel runs warm as well: the raw runs come first).
  const rawRuns: { mails: number; seconds: number; cpu: CpuReport }[] = [];
  for (let i = 0; i < 3; i++) {
    const before = sampleCpu();
    const run = await rawFetchParse(raw, 2 * n, roundSize);
    rawRuns.push({ ...run, cpu: cpuSince(before, run.mails) });
  }
  const rawResult = [...rawRuns].sort((a, b) => a.seconds - b.seconds)[1]!;
  await raw.destroy();

  const dovecot = new DovecotServer();
  await dovecot.start();
  const sink = await startSink();
  // Backlog: the mails wait in another folder while the service starts, then land in the inbox at once (one
  // MOVE), so the window holds mail handling only — not start-up, as the raw run leaves out connecting.
  if (mode === 'backlog') {
    for (let k = 1; k <= runs; k++) {
      await dovecot.withClient((client) => client.mailboxCreate(backlog(k)));
      await dovecot.deliver(mailsOf(k - 1), backlog(k));
    }
  }
  const sending = mode === 'live' && !values['no-send'];
  const bench = await startFrontline(kind, dovecot, sink, sending, roundSize);
  try {
    /** One measured window: its length, CPU, and the intake's share of it. */
    type Window = { seconds: number; cpu: CpuReport; handlerSeconds?: number; rounds?: number; firstRoundSeconds?: number; moveSeconds?: number };
    const windows: Window[] = [];
    if (mode === 'live') {
      await bench.email.whenConnected();
      const cpuBefore = sampleCpu();
      await dovecot.deliver(mailsOf(0));
      await eventually(async () => (await bench.count(ACKS)) >= n, 30 * 60_000, `${n} acknowledgements`);
      const { rows } = await bench.frontline.db.pool.query<{ first: Date; last: Date }>(
        `SELECT (SELECT min(received_at) FROM inbound_event WHERE channel = 'email') AS first,
                (SELECT max(created_at) FROM message WHERE direction = 'out' AND text LIKE '%Your incident is INC-%') AS last`,
      );
      // CPU over the window per mail, here including the outbox (the SMTP sink is a process of its own).
      windows.push({ seconds: (rows[0]!.last.getTime() - rows[0]!.first.getTime()) / 1000, cpu: cpuSince(cpuBefore, 2 * n) });
    } else {
      await bench.email.whenConnected();
      const { probe } = bench;
      for (let k = 1; k <= runs; k++) {
        // The mover (a process of its own, see mover.ts) connects first: its login is not the channel's work.
        const mover = await startMover(dovecot, backlog(k));
        const before = { mails: probe.mails, rounds: probe.rounds, handlerMs: probe.handlerMs };
        probe.firstRoundAt = 0;
        if (k === runs) profiler?.start();
        const cpuBefore = sampleCpu(); // includes Dovecot's work on the MOVE (its column), not the channel's
        const moved = await mover.move();
        // The mails arrive when the MOVE commits (Dovecot shows them to other sessions then): the window starts
        // there. Dovecot's copying before that is delivery, not the channel's work; the raw run leaves it out too.
        probe.startedAt = moved.doneAt;
        // Every round commits its acknowledgements before handleMails resolves: the last round's end is the end.
        await eventually(async () => probe.mails >= before.mails + 2 * n, 30 * 60_000, `${2 * n} mails handled`);
        // CPU over the window per mail: this process (channel, intake, PGlite when embedded), PostgreSQL, Dovecot,
        // the machine. Steadier than wall time on a shared machine.
        const cpu = cpuSince(cpuBefore, 2 * n);
        if (k === runs) await profiler?.stop();
        windows.push({
          seconds: (probe.lastDoneAt - probe.startedAt) / 1000, cpu,
          handlerSeconds: +((probe.handlerMs - before.handlerMs) / 1000).toFixed(2), rounds: probe.rounds - before.rounds,
          firstRoundSeconds: +((probe.firstRoundAt - probe.startedAt) / 1000).toFixed(2), moveSeconds: +((moved.doneAt - moved.issuedAt) / 1000).toFixed(2),
        });
      }
    }
    const median = [...windows].sort((a, b) => a.seconds - b.seconds)[Math.floor((windows.length - 1) / 2)]!;
    const { seconds, cpu } = median;
    const acks = await bench.count(ACKS);
    const incidents = await bench.count('SELECT count(*) AS n FROM incident');
    if (acks < runs * n || incidents < runs * n) throw new Error(`expected ${runs * n} incidents and acknowledgements, found ${incidents} and ${acks}`);

    // Backlog mode: now deliver what was queued, timed on its own.
    let drain: ReturnType<typeof rate> | undefined;
    if (mode === 'backlog') {
      const queued = await bench.count(`SELECT count(*) AS n FROM outbox_message WHERE status = 'pending'`);
      const began = performance.now();
      bench.frontline.dispatcher.start();
      await eventually(async () => sink.received >= queued, 30 * 60_000, `${queued} replies delivered`);
      drain = rate(queued, (performance.now() - began) / 1000);
    }

    const rawRow = { ...rate(rawResult.mails, rawResult.seconds), runsMailsPerSecond: rawRuns.map((r) => +(r.mails / r.seconds).toFixed(1)), cpu: rawResult.cpu };
    const endToEnd = {
      ...rate(2 * n, seconds), incidents: n, incidentsPerSecond: +(n / seconds).toFixed(1),
      runsMailsPerSecond: windows.map((w) => +((2 * n) / w.seconds).toFixed(1)),
    };
    const ratio = +(endToEnd.mailsPerSecond / rawRow.mailsPerSecond).toFixed(3);
    console.log(`email channel, ${n} reporters × 2 mails (problem, then "yes"), database ${kind}, mode ${mode}, rounds of ≤ ${roundSize}`);
    console.table([
      { stage: 'raw imapflow fetch + parseEmail (median of 3)', ...rate(rawResult.mails, rawResult.seconds) },
      { stage: mode === 'live' ? 'first inbound event → last ack queued' : `backlog arrives (MOVE) → incident filed + ack queued (outbox stopped; median of ${runs})`, ...rate(2 * n, seconds) },
      ...(drain ? [{ stage: 'outbox: queued replies → SMTP sink', ...drain }] : []),
    ]);
    if (mode === 'backlog') console.log(`intake handler (parse + threading + receiveMany) in the median run: ${median.handlerSeconds} s of ${seconds.toFixed(2)} s, ${median.rounds} rounds; first round ${median.firstRoundSeconds} s after the mails arrived (the MOVE itself took ${median.moveSeconds} s, not counted)`);
    console.log(`channel runs: ${endToEnd.runsMailsPerSecond.join(', ')} mails/s (each with reporters of its own, on the same service); raw runs: ${rawRow.runsMailsPerSecond.join(', ')} mails/s`);
    const split = (c: CpuReport) => Object.entries(c.msPerMail).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`CPU ms per mail, channel: ${split(cpu)} (machine ${cpu.machineCores} cores busy); raw: ${split(rawResult.cpu)} (${rawResult.cpu.machineCores} cores)`);
    console.log(`incidents filed: ${incidents} in all (${endToEnd.incidentsPerSecond}/s in the median run); end-to-end / raw = ${(ratio * 100).toFixed(1)} % (target ≥ 60 %)`);

    const out = path.resolve(import.meta.dirname, '../results/email.json');
    mkdirSync(path.dirname(out), { recursive: true });
    const result = {
      measuredAt: new Date().toISOString(), n, db: kind, mode, roundSize, outboxSending: sending,
      runs, ...(mode === 'backlog' ? { handlerSeconds: median.handlerSeconds, rounds: median.rounds } : {}),
      cpu, raw: rawRow, endToEnd, ...(drain ? { outboxDrain: drain } : {}), ratio, target: 0.6,
    };
    let previous: { runs?: Record<string, unknown> } = {};
    try {
      previous = JSON.parse(readFileSync(out, 'utf8')) as typeof previous;
    } catch {
      // first run
    }
    // One entry per database, so the PGlite and PostgreSQL runs sit side by side.
    writeFileSync(out, `${JSON.stringify({ runs: { ...previous.runs, [kind]: result } }, null, 2)}\n`);
  } finally {
    await bench.close();
    await sink.stop();
    await dovecot.destroy();
  }
}
