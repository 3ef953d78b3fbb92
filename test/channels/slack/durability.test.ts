import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../helpers/databases.js';
import { nextEventId, fixturesPresent, MISSING } from './requests.js';
import { SlackEmulator } from './emulator.js';
import { AGENT, SlackWorld, TRIAGE } from './world.js';

/**
 * No conversation or dedupe state in memory: the same agent thread message delivered again after a restart
 * (and, on PostgreSQL, to two instances at once) is acted on once, and a fresh instance finds the card's thread
 * from the database, without scanning Slack's history.
 */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Slack state survives restarts and is shared by instances (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let db: TestDatabase;
    let slack: SlackEmulator;
    const worlds: SlackWorld[] = [];
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      slack = await new SlackEmulator().start();
    });
    afterAll(async () => {
      for (const w of worlds) await w.close().catch(() => {});
      await slack?.stop();
      await db?.drop();
    });
    const start = async () => {
      const w = await SlackWorld.start(kind, {}, { slack, db });
      worlds.push(w);
      return w;
    };
    const timeline = async (w: SlackWorld, number: string) => {
      const res = await fetch(`${w.app.url}/api/v1/incidents/${number}`, { headers: { authorization: `Bearer ${w.app.tokens.agent}` } });
      return ((await res.json()) as { timeline: { type: string; body: string | null }[] }).timeline;
    };

    it('a redelivery after a restart is relayed once; the new instance threads by the card recorded in the database', async () => {
      const first = await start();
      const reporter = first.newReporter('Gustav');
      const number = await first.reportByDm('The badge reader at the north door rejects my card', reporter);
      const card = await first.card();

      const reply = { eventId: nextEventId(), ts: slack.userPost(TRIAGE, AGENT.id, 'Please try the badge again in ten minutes.', card.ts) };
      const note = { eventId: nextEventId(), ts: slack.userPost(TRIAGE, AGENT.id, 'note: access control server restarted', card.ts) };
      await first.message(TRIAGE, AGENT.id, 'Please try the badge again in ten minutes.', { threadTs: card.ts, ...reply });
      await first.message(TRIAGE, AGENT.id, 'note: access control server restarted', { threadTs: card.ts, ...note });
      await first.expectPosted(/try the badge again/, { channel: reporter.dm });
      await eventually(async () => (await timeline(first, number)).some((e) => e.type === 'note'), 5_000, 'the note');
      await first.app.close(); // the database stays (it belongs to this suite)
      worlds.splice(worlds.indexOf(first), 1);

      const second = await start();
      const historyCalls = slack.callsOf('conversations.history').length;
      // Slack retries both deliveries to the restarted instance (same event ids, retry header).
      await second.message(TRIAGE, AGENT.id, 'Please try the badge again in ten minutes.', { threadTs: card.ts, ...reply, retryNum: 1 });
      await second.message(TRIAGE, AGENT.id, 'note: access control server restarted', { threadTs: card.ts, ...note, retryNum: 1 });
      // A later message goes through, so the redeliveries had their chance to do something.
      await second.message(TRIAGE, AGENT.id, 'Any luck?', { threadTs: card.ts });
      await second.expectPosted(/Any luck\?/, { channel: reporter.dm });
      // The reporter's answer reaches the card's thread: the new instance knows the card's ts from the database.
      await second.dm('Yes, it works now, thanks', reporter);
      await second.expectPosted(/Gustav\* \(Slack\): Yes, it works now/, { channel: TRIAGE, threadTs: card.ts });

      expect(slack.botMessages(reporter.dm).filter((m) => m.text.includes('try the badge again'))).toHaveLength(1);
      expect((await timeline(second, number)).filter((e) => e.type === 'note')).toHaveLength(1);
      expect(slack.callsOf('conversations.history').length).toBe(historyCalls);
    }, 120_000); // starts a second app (PGlite: another WASM start) inside the test

    it.skipIf(kind === 'pglite')('the same agent message delivered to two instances at once is relayed once', async () => {
      const a = worlds[0] ?? (await start());
      const b = await start();
      const reporter = a.newReporter('Hedda');
      const number = await a.reportByDm('The second monitor flickers', reporter);
      const card = await eventually(async () => slack.botMessages(TRIAGE).find((m) => m.text.includes(number) && m.metadata), 10_000, 'the card');
      const same = { eventId: nextEventId(), ts: slack.userPost(TRIAGE, AGENT.id, 'Swap the cable, please.', card.ts), threadTs: card.ts };
      const noteSame = { eventId: nextEventId(), ts: slack.userPost(TRIAGE, AGENT.id, 'note: known issue with the dock', card.ts), threadTs: card.ts };
      await Promise.all([
        a.message(TRIAGE, AGENT.id, 'Swap the cable, please.', same),
        b.message(TRIAGE, AGENT.id, 'Swap the cable, please.', { ...same, retryNum: 1 }),
        a.message(TRIAGE, AGENT.id, 'note: known issue with the dock', noteSame),
        b.message(TRIAGE, AGENT.id, 'note: known issue with the dock', { ...noteSame, retryNum: 1 }),
      ]);
      await a.message(TRIAGE, AGENT.id, 'Tell me when done.', { threadTs: card.ts });
      await a.expectPosted(/Tell me when done/, { channel: reporter.dm });
      await eventually(async () => (await timeline(a, number)).some((e) => e.type === 'note'), 5_000, 'the note');
      expect(slack.botMessages(reporter.dm).filter((m) => m.text.includes('Swap the cable'))).toHaveLength(1);
      expect((await timeline(b, number)).filter((e) => e.type === 'note')).toHaveLength(1);
    }, 120_000);
  });
}
