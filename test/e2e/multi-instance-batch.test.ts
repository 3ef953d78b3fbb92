import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../channels/types.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { RecordingChannel } from '../helpers/recording-channel.js';

const THREADS = 60;
const REPORT = 'The printer on floor 3 jams on every page since this morning';

describe.skipIf(!postgresAvailable)('two instances receiving the same batches at once (group commit)', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const ca = new RecordingChannel('batch');
  const cb = new RecordingChannel('batch');
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    a = await startTestApp('postgres', { db, channels: [ca] });
    b = await startTestApp('postgres', { db, channels: [cb] });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('every event takes effect once, without deadlocks, whichever instance gets it first', async () => {
    // Each thread: a report and its "yes"; the two instances get them in opposite thread order, and some
    // threads share a reporter (so the same new contact is created from both sides).
    const thread = (t: number): InboundMessage[] => [
      ca.inbound(`t${t}`, `r${t}`, REPORT, `person-${t % 45}`),
      ca.inbound(`t${t}`, `y${t}`, 'yes', `person-${t % 45}`),
    ];
    const forward = Array.from({ length: THREADS }, (_, t) => thread(t)).flat();
    const backward = Array.from({ length: THREADS }, (_, t) => thread(THREADS - 1 - t)).flat();
    const [ra, rb] = await Promise.all([ca.host.receiveMany(forward), cb.host.receiveMany(backward)]);

    // Each event was fresh on exactly one instance.
    const fresh = new Map<string, number>();
    [...ra.map((r, i) => [forward[i]!.eventId, r] as const), ...rb.map((r, i) => [backward[i]!.eventId, r] as const)].forEach(([id, r]) => {
      if (!r.duplicate) fresh.set(id, (fresh.get(id) ?? 0) + 1);
    });
    expect(fresh.size).toBe(2 * THREADS);
    expect([...fresh.values()].every((n) => n === 1)).toBe(true);

    const { rows } = await a.frontline.db.pool.query<{ thread_key: string; inbound: string; incidents: string; acks: string }>(
      `SELECT c.thread_key,
              (SELECT count(*) FROM message m WHERE m.conversation_id = c.id AND m.direction = 'in') AS inbound,
              (SELECT count(*) FROM incident i WHERE i.origin_conversation_id = c.id) AS incidents,
              (SELECT count(*) FROM message m WHERE m.conversation_id = c.id AND m.text LIKE '%Your incident is INC-%') AS acks
         FROM conversation c WHERE c.channel = 'batch'`,
    );
    expect(rows).toHaveLength(THREADS);
    expect(rows.every((r) => Number(r.inbound) === 2 && Number(r.incidents) === 1 && Number(r.acks) === 1)).toBe(true);
    const contacts = await a.frontline.db.pool.query<{ n: string }>(`SELECT count(DISTINCT contact_id) AS n FROM channel_identity WHERE channel = 'batch'`);
    expect(Number(contacts.rows[0]!.n)).toBe(45);
    // Overlapping batches lock in one order (thread key, event key, account): neither instance had to retry.
    for (const app of [a, b]) {
      expect((await app.frontline.metrics.intakeConflicts.get()).values[0]?.value ?? 0).toBe(0);
      expect((await app.frontline.metrics.intakeFallbacks.get()).values[0]?.value ?? 0).toBe(0);
    }
  });
});
