import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../channels/email/adapter.js';
import { parseEmailSettings } from '../../channels/email/settings.js';
import type { ChannelAdapter } from '../../channels/types.js';
import { HOUSEKEEPING_QUEUE } from '../../src/jobs/timers.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';

const DAY = 86_400_000;

describe.each(DB_KINDS)('daily housekeeping ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  beforeAll(async () => {
    if (skip) return;
    t = await startTestApp(kind, { env: { INBOUND_EVENT_RETENTION_DAYS: '30', SLA_TIMERS_POLL_SECONDS: '0.5' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(skip)('prunes old dedupe keys except for channels that keep them, and only ephemeral channel state', async () => {
    const { pool } = t.frontline.db;
    const now = Date.now();
    const event = (channel: string, id: string, ageDays: number) =>
      pool.query('INSERT INTO inbound_event (id, channel, external_id, received_at) VALUES (gen_random_uuid(), $1, $2, $3)', [channel, id, new Date(now - ageDays * DAY)]);
    await event('webchat', 'old-1', 45);
    await event('webchat', 'old-2', 31);
    await event('webchat', 'recent', 2);
    await event('email', '<old@example.com>', 400);
    const state = (channel: string, key: string, ageDays: number) =>
      pool.query(`INSERT INTO channel_state (channel, key, value, updated_at) VALUES ($1, $2, '{}'::jsonb, $3)`, [channel, key, new Date(now - ageDays * DAY)]);
    await state('slack', 'form:C1:1.000', 9);
    await state('slack', 'form:C1:2.000', 1);
    await state('slack', 'card:abc', 90);
    await state('email', 'choices:old-conversation', 45); // written before stop 8, read by nothing now
    await state('email', 'choices:recent-conversation', 2); // an instance of the previous version during an upgrade
    await state('email', 'imap-checkpoint:support:INBOX', 400);

    // The adapters' retention declarations (the email adapter's own: it keeps keys; old option lists expire;
    // Slack's forms expire).
    const email = new EmailAdapter(parseEmailSettings({ IMAP_HOST: 'imap.example.com', IMAP_USER: 'support', IMAP_PASSWORD: 'p', SMTP_HOST: 'smtp.example.com', SUPPORT_ADDRESS: 'support@example.com' }));
    const channels = [
      { name: 'webchat' },
      { name: 'email', retention: email.retention },
      { name: 'slack', retention: { ephemeralState: [{ prefix: 'form:', maxAgeDays: 7 }] } },
    ] as unknown as ChannelAdapter[];
    const { Housekeeping } = await import('../../src/jobs/housekeeping.js');
    const result = await new Housekeeping(t.frontline.db, () => channels, 30).run(new Date(now));
    expect(result).toEqual({ inboundEvents: 2, channelState: 2 });

    const left = await pool.query<{ external_id: string }>(`SELECT external_id FROM inbound_event WHERE external_id IN ('old-1', 'old-2', 'recent', '<old@example.com>') ORDER BY 1`);
    expect(left.rows.map((r) => r.external_id)).toEqual(['<old@example.com>', 'recent']);
    const keys = await pool.query<{ key: string }>(`SELECT key FROM channel_state WHERE channel = 'slack' ORDER BY key`);
    expect(keys.rows.map((r) => r.key)).toEqual(['card:abc', 'form:C1:2.000']);
    const emailKeys = await pool.query<{ key: string }>(`SELECT key FROM channel_state WHERE channel = 'email' ORDER BY key`);
    expect(emailKeys.rows.map((r) => r.key)).toEqual(['choices:recent-conversation', 'imap-checkpoint:support:INBOX']);
    expect(await new Housekeeping(t.frontline.db, () => channels, 0).run(new Date(now + 1000 * DAY))).toMatchObject({ inboundEvents: 0 });
  });

  it.skipIf(skip)('runs as a pg-boss job on the running app, with the app’s own channels', async () => {
    await t.frontline.db.pool.query(`INSERT INTO inbound_event (id, channel, external_id, received_at) VALUES (gen_random_uuid(), 'webchat', 'ancient', now() - interval '60 days')`);
    const id = await t.frontline.timers.boss.send(HOUSEKEEPING_QUEUE, {});
    await t.frontline.timers.waitFor(HOUSEKEEPING_QUEUE, id!, 60_000);
    const { rows } = await t.frontline.db.pool.query(`SELECT 1 FROM inbound_event WHERE external_id = 'ancient'`);
    expect(rows).toHaveLength(0);
  }, 60_000);
});
