import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/db/database.js';
import { eventually } from '../helpers/app.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';
import { expectExactReplay } from '../helpers/replay.js';
import { WebchatClient } from '../helpers/webchat-client.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/frontline.js');
const CONVERSATIONS = Number(process.env.FRONTLINE_TEST_CRASH_CONVERSATIONS ?? 50);
const PER_CONVERSATION = 20; // 1,000 messages in all

/** Starts `frontline start` as a real child process and resolves with its URL once it printed it. */
async function startServer(db: TestDatabase, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: { ...process.env, ...db.env, PORT: String(port), LOG_LEVEL: 'warn', LOG_FORMAT: 'json', OUTBOX_LEASE_MS: '1500', OUTBOX_POLL_MS: '100', NODE_ENV: 'test', FRONTLINE_DIALOG: 'report-incident', WEBCHAT_RATE_LIMIT_PER_MINUTE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    return /Frontline is running: (http:\/\/\S+)/.exec(output)?.[1];
  }, 60_000, 'the server to print its URL');
  return { child, url };
}

describe.each(DB_KINDS)('crash safety ($kind)', ({ kind, skip }) => {
  const children: ChildProcess[] = [];
  const debug = (...a: unknown[]) => process.env.FRONTLINE_TEST_DEBUG && console.log('[crash]', ...a);
  let db: TestDatabase | undefined;
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await db?.drop();
  });

  it.skipIf(skip)('SIGKILL during a burst of 1,000 web chat messages loses and duplicates nothing', async () => {
    db = await createTestDatabase(kind);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const first = await startServer(db, port);
    debug('first server up', first.url);
    children.push(first.child);
    const clients = await Promise.all(Array.from({ length: CONVERSATIONS }, () => new WebchatClient(first.url).open()));
    // Each message has a fixed idempotency key, as the widget keeps one per message across retries.
    const pending = clients.flatMap((c, ci) => Array.from({ length: PER_CONVERSATION }, (_, i) => ({ c, text: `detail ${ci}-${i}`, key: randomUUID() })));
    const accepted = new Set<string>();
    let killed = false;

    // Send each conversation's messages in order; after ~300 acceptances, kill the server mid-burst.
    const sendAll = () =>
      Promise.all(clients.map(async (c) => {
        for (const m of pending.filter((p) => p.c === c)) {
          if (accepted.has(m.key)) continue;
          try {
            const res = await m.c.send({ text: m.text }, m.key);
            if (res.status !== 202) throw new Error(`status ${res.status}`);
            accepted.add(m.key);
            if (!killed && accepted.size >= (CONVERSATIONS * PER_CONVERSATION * 3) / 10) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          } catch {
            return; // server gone: this client resumes after the restart
          }
        }
      }));
    await sendAll();
    debug('burst done, killed =', killed, 'accepted', accepted.size);
    expect(killed).toBe(true);
    await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r(null) : first.child.once('exit', r)));
    const acceptedBeforeCrash = accepted.size;
    if (process.env.FRONTLINE_TEST_DEBUG) console.log('accepted before crash', acceptedBeforeCrash);

    const second = await startServer(db, port);
    debug('second server up');
    children.push(second.child);
    await sendAll(); // clients retry what was not acknowledged, with the same keys
    debug('resent, accepted', accepted.size);
    expect(accepted.size).toBe(CONVERSATIONS * PER_CONVERSATION);
    expect(acceptedBeforeCrash).toBeLessThan(accepted.size);

    // Every reply is eventually visible exactly once through the public API.
    for (const c of clients) {
      await eventually(async () => {
        await c.poll();
        return c.transcript.filter((m) => m.direction === 'in').length === PER_CONVERSATION ? true : undefined;
      }, 30_000, `all inbound messages in the transcript of ${c.conversationId} (has ${c.transcript.filter((m) => m.direction === 'in').length})`);
    }
    debug('transcripts complete');
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));

    const database = await openDatabase(loadConfig({ ...db.env, LOG_LEVEL: 'silent' }));
    try {
      for (const c of clients) {
        const { inbound } = await expectExactReplay(database, c.conversationId);
        expect(inbound).toBe(PER_CONVERSATION);
        const texts = (await database.prisma.message.findMany({ where: { conversationId: c.conversationId, direction: 'in' }, orderBy: { seq: 'asc' } })).map((m) => m.text);
        expect(texts).toEqual(pending.filter((p) => p.c === c).map((p) => p.text)); // stored once, in order
        const ids = c.transcript.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
      }
      expect(await database.prisma.outboxMessage.count({ where: { status: { not: 'sent' } } })).toBe(0);
    } finally {
      await database.close();
    }
  }, 240_000);
});
