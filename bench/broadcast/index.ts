/**
 * `npm run bench -- broadcast [--n 10000] [--raw 2000] [--db pglite|postgres]`: one major-incident update to N
 * email subscribers through the outbox, delivered by the real email channel (nodemailer) to the SMTP sink of
 * bench/email (a process of its own): recipients/s, time until every recipient is queued (the planner) and time
 * to the last delivery. Next to it, the outbox's raw send rate to the same sink: R plain messages already queued,
 * drained by the same dispatcher. Writes bench/results/broadcast.json (runs keyed by db).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { EmailAdapter } from '../../channels/email/adapter.js';
import { parseEmailSettings } from '../../channels/email/settings.js';
import { createFrontline } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { postUpdate } from '../../src/major/updates.js';
import { enqueueMessage } from '../../src/outbox/enqueue.js';
import { DovecotServer, dovecotMissingReason, findDovecot } from '../../test/channels/email/dovecot.js';
import { SUPPORT } from '../../test/channels/email/world.js';
import { createTestDatabase, type DbKind, postgresAvailable } from '../../test/helpers/databases.js';

async function startSink(): Promise<{ port: number; readonly received: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...process.execArgv, path.join(import.meta.dirname, '../email/sink.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
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
  return { port, get received() { return received; }, stop: () => new Promise((r) => { child.once('exit', () => r()); child.stdin.end(); }) };
}

async function until(fn: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export default async function broadcastBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { n: { type: 'string', default: '10000' }, raw: { type: 'string', default: '2000' }, db: { type: 'string', default: 'postgres' } } });
  const n = Number(values.n);
  const rawN = Number(values.raw);
  const kind = values.db as DbKind;
  if (!findDovecot()) return console.log(`broadcast: ${dovecotMissingReason}; nothing to measure`);
  if (kind === 'postgres' && !postgresAvailable) return console.log('broadcast: PostgreSQL unreachable; use --db pglite');
  const dovecot = new DovecotServer();
  await dovecot.start();
  const sink = await startSink();
  const db = await createTestDatabase(kind);
  const email = new EmailAdapter(
    parseEmailSettings({
      IMAP_HOST: '127.0.0.1', IMAP_PORT: String(dovecot.port), IMAP_SECURE: 'false', IMAP_USER: dovecot.user.user, IMAP_PASSWORD: dovecot.user.pass,
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), SMTP_SECURE: 'false', SUPPORT_ADDRESS: `"IT Support" <${SUPPORT}>`,
    }),
    { smtpTransport: { ignoreTLS: true } },
  );
  const config = loadConfig({ NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'warn', WEBCHAT_ENABLED: 'false', SLA_TIMERS_ENABLED: 'false', OUTBOX_CONCURRENCY: '32', OUTBOX_POLL_MS: '50', ...db.env });
  const app = await createFrontline(config, { channels: [email], dispatch: false });
  try {
    const prisma = app.db.prisma;
    // Raw: R messages to R addresses already in the outbox; the same dispatcher drains them to the same sink.
    const contact = await prisma.contact.create({ data: { displayName: 'raw' } });
    for (let i = 0; i < rawN; i += 500) {
      await app.pipeline.transaction(async (tx) => {
        const rows = Array.from({ length: Math.min(500, rawN - i) }, (_, k) => email.startConversation(`raw${i + k}@example.com`, { incidentNumber: '', title: 'raw' }));
        const convs = await Promise.all(rows.map((r) => tx.conversation.create({ data: { channel: 'email', threadKey: r.threadKey, reference: r.reference, contactId: contact.id, kind: 'broadcast' }, select: { id: true, channel: true } })));
        await Promise.all(convs.map((c) => enqueueMessage(tx, c, { text: 'raw send rate probe', author: { kind: 'system' } })));
      });
    }
    let t0 = performance.now();
    app.dispatcher.start();
    await until(() => sink.received >= rawN, 600_000, 'the raw drain');
    const rawSeconds = (performance.now() - t0) / 1000;
    console.log(`broadcast (${kind}): raw outbox send rate ${Math.round(rawN / rawSeconds)} msgs/s (${rawN} in ${rawSeconds.toFixed(1)} s)`);

    const mi = await prisma.majorIncident.create({ data: { serviceId: 'exchange_outlook', title: 'Email outage', status: 'declared', declaredAt: new Date() } });
    await prisma.subscription.createMany({ data: Array.from({ length: n }, (_, i) => ({ serviceId: 'exchange_outlook', channel: 'email', address: `sub${i}@example.com`, status: 'active' })) });
    app.broadcasts.start();
    t0 = performance.now();
    const posted = await app.pipeline.transaction((tx) => postUpdate(tx, `MI-${mi.number}`, { status: 'investigating', publicText: 'Mail is not being delivered; we are on it.' }, 'bench'));
    app.broadcasts.kick();
    let plannedSeconds = 0;
    await until(async () => {
      if (!plannedSeconds && (await prisma.broadcast.findUniqueOrThrow({ where: { id: posted.broadcastId } })).status === 'queued') plannedSeconds = (performance.now() - t0) / 1000;
      return sink.received >= rawN + n;
    }, 900_000, 'the broadcast');
    const lastSeconds = (performance.now() - t0) / 1000;
    const result = {
      db: kind, recipients: n, plannedSeconds: Number(plannedSeconds.toFixed(2)), timeToLastDeliverySeconds: Number(lastSeconds.toFixed(2)),
      recipientsPerSecond: Math.round(n / lastSeconds), rawOutboxSendRate: Math.round(rawN / rawSeconds), rawMessages: rawN, target: '10,000 in <= 60 s on PostgreSQL',
      measuredAt: new Date().toISOString(),
    };
    console.log(`broadcast (${kind}): ${n} recipients queued in ${result.plannedSeconds} s, last delivered after ${result.timeToLastDeliverySeconds} s → ${result.recipientsPerSecond} recipients/s (raw outbox ${result.rawOutboxSendRate} msgs/s)`);
    const file = path.resolve(import.meta.dirname, '../results/broadcast.json');
    mkdirSync(path.dirname(file), { recursive: true });
    let previous: Record<string, unknown> = {};
    try {
      previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch { /* first run */ }
    writeFileSync(file, `${JSON.stringify({ ...previous, [kind]: result }, null, 2)}\n`);
  } finally {
    await app.close();
    await db.drop();
    await sink.stop();
    await dovecot.stop();
  }
}
