import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { fixturesPresent, MISSING, nextEventId, postToSlackEndpoint, signSlackRequest, SLACK_FIXTURES } from './requests.js';
import { AGENT, REPORTER, SECRET, SlackWorld, TRIAGE } from './world.js';

describe.skipIf(!fixturesPresent)(`Slack request signing${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
  it('reproduces Slack’s published signature test vector', () => {
    const vector = JSON.parse(readFileSync(path.join(SLACK_FIXTURES, 'signature_test_vector.json'), 'utf8')) as Record<string, string>;
    const signed = signSlackRequest(vector.signing_secret!, vector.raw_body!, vector['X-Slack-Request-Timestamp']!);
    expect(signed['x-slack-signature']).toBe(vector['X-Slack-Signature']);
  });
});

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Slack reliability (${kind})`, () => {
    let world: SlackWorld;
    beforeAll(async () => {
      world = await SlackWorld.start(kind);
    });
    afterAll(async () => {
      await world?.close();
    });

    it('rejects forged and stale signatures with 401', async () => {
      const body = { type: 'event_callback', event_id: nextEventId(), team_id: 'T0', event: { type: 'message', channel: REPORTER.dm, user: REPORTER.id, text: 'hi', ts: '1.000001' } };
      expect((await postToSlackEndpoint(world.app.url, body, { secret: 'not-the-secret' })).status).toBe(401);
      expect((await postToSlackEndpoint(world.app.url, body, { secret: SECRET, signature: 'v0=deadbeef' })).status).toBe(401);
      const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
      expect((await postToSlackEndpoint(world.app.url, body, { secret: SECRET, timestamp: sixMinutesAgo })).status).toBe(401);
      // Slack's own worked example is correctly signed but from 2018: stale.
      const vector = JSON.parse(readFileSync(path.join(SLACK_FIXTURES, 'signature_test_vector.json'), 'utf8')) as Record<string, string>;
      const res = await fetch(`${world.app.url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': vector.content_type!, 'x-slack-signature': vector['X-Slack-Signature']!, 'x-slack-request-timestamp': vector['X-Slack-Request-Timestamp']! },
        body: vector.raw_body,
      });
      expect(res.status).toBe(401);
      expect(world.slack.botMessages(REPORTER.dm)).toHaveLength(0); // none of them reached the dialog
    });

    it('duplicate deliveries (same event id, X-Slack-Retry-Num) produce no duplicate messages', async () => {
      const first = await world.dm('Teams calls have no audio');
      expect(first.res.status).toBe(200);
      const eventId = String(first.body.event_id);
      for (const retryNum of [1, 2, 3]) {
        const again = await world.dm('Teams calls have no audio', REPORTER, { eventId, retryNum, ts: first.ts });
        expect(again.res.status).toBe(200);
      }
      await world.expectPosted(/Shall I go ahead/, { channel: REPORTER.dm });
      await new Promise((r) => setTimeout(r, 300)); // give any duplicate a chance to show up
      const confirms = world.slack.botMessages(REPORTER.dm).filter((m) => /Shall I go ahead/.test(m.text));
      expect(confirms).toHaveLength(1);
      const { rows } = await world.app.frontline.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM message WHERE direction = 'in' AND text = 'Teams calls have no audio'`);
      expect(rows[0]!.n).toBe(1);

      // Agent-side redeliveries too: one reply in the thread relayed once.
      await world.click(REPORTER.id, confirms[0]!, 'frontline_choice_0', 'yes');
      await world.expectPosted(/Your incident is/, { channel: REPORTER.dm });
      const card = await world.card();
      const reply = await world.message(TRIAGE, AGENT.id, 'Which headset do you use?', { threadTs: card.ts });
      await world.message(TRIAGE, AGENT.id, 'Which headset do you use?', { threadTs: card.ts, ts: reply.ts, eventId: String(reply.body.event_id), retryNum: 1 });
      await world.expectPosted(/Which headset/, { channel: REPORTER.dm });
      await new Promise((r) => setTimeout(r, 300));
      expect(world.slack.botMessages(REPORTER.dm).filter((m) => /Which headset/.test(m.text))).toHaveLength(1);
    });

    it('a 429 storm delays delivery but loses nothing, honouring Retry-After', async () => {
      world.slack.fail('chat.postMessage', { status: 429, retryAfter: 1, times: 3 });
      const lena = world.newReporter('Lena');
      const started = Date.now();
      await world.dm('The shared drive S: is not mapped', lena);
      const confirm = await world.expectPosted(/shared drive.*Shall I go ahead/, { channel: lena.dm }, 20_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000); // waited at least one Retry-After
      expect(world.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 429)).toHaveLength(3);
      // In order and complete: the conversation's bot messages are not reordered by the retries.
      const texts = world.slack.botMessages(lena.dm).map((m) => m.text);
      expect(texts.slice(0, 2)).toEqual([expect.stringMatching(/^Hi!/), expect.stringMatching(/What's the problem/)]);
      expect(texts.indexOf(confirm.text)).toBe(texts.length - 1);
    });

    it('invalid_auth shows in /readyz and the message is kept for redelivery after the fix', async () => {
      expect((await fetch(`${world.app.url}/readyz`)).status).toBe(200);
      const omar = world.newReporter('Omar');
      world.slack.setAuthError('invalid_auth');
      await world.dm('Laptop battery swells', omar);
      const ready = await eventually(async () => {
        const res = await fetch(`${world.app.url}/readyz`);
        return res.status === 503 ? ((await res.json()) as { checks: Record<string, { ok: boolean; detail?: string }> }) : undefined;
      }, 10_000, '/readyz to report the Slack problem');
      expect(ready.checks['channel:slack']).toMatchObject({ ok: false });
      expect(ready.checks['channel:slack']!.detail).toContain('invalid_auth');
      // readyz flips on the first failed call; wait until the dispatcher has settled every Slack message.
      const rows = await eventually(async () => {
        const pool = world.app.frontline.db.pool;
        const pending = await pool.query(`SELECT 1 FROM outbox_message WHERE channel = 'slack' AND status = 'pending'`);
        const dead = await pool.query<{ id: string }>(`SELECT id::text FROM outbox_message WHERE channel = 'slack' AND status = 'dead' ORDER BY seq`);
        return pending.rowCount === 0 && dead.rows.length > 0 ? dead.rows : undefined;
      }, 10_000, 'the failed Slack messages to be dead-lettered');

      // The token is fixed: an admin redelivers the kept message, Slack is healthy again.
      world.slack.setAuthError(undefined);
      for (const { id } of rows) {
        const res = await fetch(`${world.app.url}/api/v1/admin/outbox/${id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${world.app.tokens.admin}` } });
        expect(res.status).toBeLessThan(300);
      }
      await world.expectPosted(/battery.*Shall I go ahead/, { channel: omar.dm });
      await eventually(async () => (await fetch(`${world.app.url}/readyz`)).status === 200, 10_000, '/readyz healthy again');
    });
  });
}
