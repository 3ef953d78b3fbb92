import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';

const SERVER = path.resolve(import.meta.dirname, 'crash-server.ts');
const SUBSCRIBERS = 2_000;
const CONCURRENCY = 16;

async function startServer(db: TestDatabase, sink: string): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, ...db.env, PORT: '0', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', NODE_ENV: 'test', OUTBOX_LEASE_MS: '1500', OUTBOX_POLL_MS: '50', OUTBOX_CONCURRENCY: String(CONCURRENCY), WEBCHAT_ENABLED: 'false', SINK_FILE: sink, SEED_SUBSCRIBERS: String(SUBSCRIBERS) },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: path.resolve(import.meta.dirname, '../..'),
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const m = await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    return /READY (\d+) (\S*)/.exec(output);
  }, 90_000, 'the server to start');
  return { child, url: `http://127.0.0.1:${m[1]}`, token: m[2]! };
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]) : []);

describe.each(DB_KINDS)('broadcast across a kill -9 ($kind)', ({ kind, skip }) => {
  const children: ChildProcess[] = [];
  let db: TestDatabase | undefined;
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await db?.drop();
  });

  it.skipIf(skip)('SIGKILL mid-broadcast: after a restart every subscriber has it once, under one key', async () => {
    db = await createTestDatabase(kind);
    const sink = path.join(os.tmpdir(), `fl-sink-${Date.now()}-${Math.random().toString(36).slice(2)}.tsv`);
    const first = await startServer(db, sink);
    children.push(first.child);
    const res = await fetch(`${first.url}/api/v1/major-incidents/MI-1/updates`, {
      method: 'POST', headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'investigating', publicText: 'Wi-Fi is down in every office; use the wired ports meanwhile.' }),
    });
    expect(res.status).toBe(201);
    const { id: updateId } = (await res.json()) as { id: string };
    await eventually(async () => lines(sink).length >= 300, 60_000, '300 deliveries');
    first.child.kill('SIGKILL');
    await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r(null) : first.child.once('exit', r)));
    const beforeRestart = lines(sink).length;
    expect(beforeRestart).toBeLessThan(SUBSCRIBERS); // killed mid-broadcast

    const second = await startServer(db, sink);
    children.push(second.child);
    await eventually(async () => new Set(lines(sink).map(([a]) => a)).size >= SUBSCRIBERS, 120_000, `${SUBSCRIBERS} subscribers reached`);
    await new Promise((r) => setTimeout(r, 1_000));
    const all = lines(sink);
    const keysByAddress = new Map<string, Set<string>>();
    for (const [address, key] of all) keysByAddress.set(address, (keysByAddress.get(address) ?? new Set()).add(key));
    expect(keysByAddress.size).toBe(SUBSCRIBERS);
    // One outbox row (one idempotency key, hence one Message-ID) per recipient: never queued twice.
    for (const keys of keysByAddress.values()) expect(keys.size).toBe(1);
    // At-least-once at the wire: only sends in flight at the kill may repeat, under the same key.
    const repeats = all.length - SUBSCRIBERS;
    expect(repeats).toBeLessThanOrEqual(CONCURRENCY);

    // The token was made by the first start; the report comes from the restarted server.
    const token = first.token;
    type Report = { total: number; counts: Record<string, number>; broadcast: { status: string } };
    // The sink has a mail a moment before the dispatcher records its row as sent: wait for the records.
    let seen: Report | undefined;
    const report = await eventually(async () => {
      seen = (await (await fetch(`${second.url}/api/v1/major-incidents/MI-1/updates/${updateId}/deliveries?limit=1`, { headers: { authorization: `Bearer ${token}` } })).json()) as Report;
      return seen.counts.sent === SUBSCRIBERS && seen.broadcast.status === 'queued' ? seen : undefined;
    }, 60_000, 'every delivery recorded as sent').catch((err: Error) => {
      throw new Error(`${err.message}; last report: ${JSON.stringify(seen)}`);
    });
    expect(report.broadcast.status).toBe('queued');
    expect(report.total).toBe(SUBSCRIBERS);
    expect(report.counts.sent).toBe(SUBSCRIBERS);
    second.child.kill('SIGTERM');
    await new Promise((r) => (second.child.exitCode !== null ? r(null) : second.child.once('exit', r)));
  }, 300_000);
});
