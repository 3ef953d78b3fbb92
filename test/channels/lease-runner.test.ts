import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeaseRunner, type LeaseStore } from '../../channels/lease-runner.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { RecordingChannel } from '../helpers/recording-channel.js';

const TTL_MS = 900;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A runner on the real `host.state` that records when it is told to start and stop its work. */
function runner(store: LeaseStore, channel: RecordingChannel, key: string, holder: string, keepLeadingWithoutRenewalMs = TTL_MS) {
  const calls: ('lead' | 'yield')[] = [];
  const lease = new LeaseRunner({
    store, key, holder, ttlMs: TTL_MS, keepLeadingWithoutRenewalMs, work: `works on ${key}`, logger: channel.host.logger,
    lead: () => void calls.push('lead'),
    yieldLead: async () => void calls.push('yield'),
  });
  return { lease, calls, holder };
}

describe.each(DB_KINDS)('lease runner ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const channel = new RecordingChannel('lease-runner');
  const running: LeaseRunner[] = [];
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind, { channels: [channel] });
  });
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
  });
  afterAll(async () => t?.close());

  const started = (r: ReturnType<typeof runner>) => {
    running.push(r.lease);
    r.lease.start();
    return r;
  };

  it.skipIf(skip)('one instance gains it and keeps it by renewing; a clean stop hands it over at once', async () => {
    const { state } = channel.host;
    const a = started(runner(state, channel, 'work-1', 'a'));
    await eventually(async () => a.lease.isLeading, 5_000, 'a leads');
    const b = started(runner(state, channel, 'work-1', 'b'));
    // Several lease times: without renewals a's lease would have run out and b would have taken it.
    await sleep(TTL_MS * 3);
    expect(a.lease.isLeading).toBe(true);
    expect(b.lease.isLeading).toBe(false);
    expect(a.calls).toEqual(['lead']);
    expect(b.calls).toEqual([]);

    await a.lease.stop();
    expect(a.calls).toEqual(['lead', 'yield']);
    // Released, not expired: b takes it on its next try (every third of the TTL), well before a full TTL.
    const since = Date.now();
    await eventually(async () => b.lease.isLeading, 5_000, 'b takes over');
    expect(Date.now() - since).toBeLessThan(TTL_MS);
    expect(b.calls).toEqual(['lead']);
  });

  it.skipIf(skip)('a leader whose lease another instance now holds stops its work', async () => {
    const { state } = channel.host;
    const a = started(runner(state, channel, 'work-2', 'a'));
    await eventually(async () => a.lease.isLeading, 5_000, 'a leads');
    // What a long pause of a (a stalled process) looks like to the others: its lease is gone and taken.
    await state.release('work-2', 'a');
    expect(await state.lease('work-2', 'intruder', 60_000)).toBe(true);
    await eventually(async () => !a.lease.isLeading, 5_000, 'a gives up');
    expect(a.calls).toEqual(['lead', 'yield']);
    // It stands by and does not take the intruder's lease back.
    await sleep(TTL_MS);
    expect(a.lease.isLeading).toBe(false);
    await a.lease.stop();
    expect(a.calls).toEqual(['lead', 'yield']);
    expect(await state.lease('work-2', 'a', TTL_MS)).toBe(false);
  });

  it.skipIf(skip)('with the database unreachable, a leader keeps leading only as long as it was told', async () => {
    const { state } = channel.host;
    // The real store, cut off on demand (what an outage looks like to the runner: every call fails).
    let down = false;
    const flaky: LeaseStore = {
      lease: async (...args) => {
        if (down) throw new Error('connection refused');
        return state.lease(...args);
      },
      release: async (...args) => {
        if (down) throw new Error('connection refused');
        return state.release(...args);
      },
    };
    const tolerant = started(runner(flaky, channel, 'work-3', 'tolerant', 60_000));
    const careful = started(runner(flaky, channel, 'work-4', 'careful', (TTL_MS * 2) / 3));
    await eventually(async () => tolerant.lease.isLeading && careful.lease.isLeading, 5_000, 'both lead');
    down = true;
    const since = Date.now();
    await eventually(async () => !careful.lease.isLeading, 5_000, 'careful gives up');
    // Before its lease could pass on: nobody else could hold the key yet.
    expect(Date.now() - since).toBeLessThan(TTL_MS);
    expect(careful.calls).toEqual(['lead', 'yield']);
    expect(tolerant.lease.isLeading).toBe(true);
    expect(tolerant.calls).toEqual(['lead']);
    // Stopping while the database is down still stops the work (the lease then simply expires).
    await tolerant.lease.stop();
    expect(tolerant.calls).toEqual(['lead', 'yield']);
    down = false;
  });
});
