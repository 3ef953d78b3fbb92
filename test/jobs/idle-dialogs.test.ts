import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';

const MINUTE = 60_000;

describe.each(DB_KINDS)('dialog reminders on $kind', ({ kind, skip }) => {
  let t: TestApp;

  beforeAll(async () => {
    if (skip) return;
    // The guided flow has `idle: {remindAfterMinutes: 30, closeAfterMinutes: 120}`. Runs go through the real
    // pg-boss queue (`runIdleNow` queues one and waits for a worker to finish it) instead of the minute cron.
    t = await startTestApp(kind, { env: { SLA_TIMERS_POLL_SECONDS: '0.5', FRONTLINE_DIALOG: 'report-guided' } });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const open = (visitor: string) =>
    t.frontline.pipeline.open({ channel: 'webchat', threadKey: `idle-${visitor}`, reference: { visitor }, user: { externalId: visitor }, locale: 'en' });
  const session = async (conversationId: string) => {
    const s = await t.frontline.db.prisma.dialogSession.findUniqueOrThrow({ where: { conversationId } });
    return { ...s, state: s.state as { status: string; reminded?: boolean; data: Record<string, unknown> } };
  };
  const botMessages = (conversationId: string) => t.frontline.db.prisma.message.count({ where: { conversationId, direction: 'out' } });
  /** Makes the session look idle since `minutes` ago (its last write is stamped by the database clock). */
  const idleFor = (conversationId: string, minutes: number) =>
    t.frontline.db.prisma.$executeRaw`UPDATE dialog_session SET updated_at = now() - make_interval(mins => ${minutes}) WHERE conversation_id = ${conversationId}::uuid`;

  const runJob = () => t.frontline.timers.runIdleNow(15_000);
  const runAt = (now: Date) => t.frontline.timers.handlers.idle!.run(now);

  it.skipIf(skip)('reminds once after remindAfterMinutes, then closes gently after closeAfterMinutes', async () => {
    const { conversationId } = await open('a');
    const greeting = await botMessages(conversationId);
    expect(greeting).toBeGreaterThan(0);
    await idleFor(conversationId, 29);
    await runJob();
    expect(await botMessages(conversationId)).toBe(greeting);

    await idleFor(conversationId, 31);
    await runJob();
    const reminded = await session(conversationId);
    expect(reminded.state.status).toBe('active');
    expect(reminded.state.reminded).toBe(true);
    const afterReminder = await botMessages(conversationId);
    expect(afterReminder).toBeGreaterThan(greeting);

    // Another run an hour later: the reminder is not repeated.
    await runAt(new Date(Date.now() + 60 * MINUTE));
    expect(await botMessages(conversationId)).toBe(afterReminder);

    // 120 minutes after the reporter's last word (90 after the reminder) the conversation closes politely.
    await idleFor(conversationId, 91);
    await runJob();
    const closed = await session(conversationId);
    expect(closed.state.status).toBe('done');
    expect(closed.state.data.closed_idle).toBe(true);
    const afterClose = await botMessages(conversationId);
    expect(afterClose).toBe(afterReminder + 1);
    await runAt(new Date(Date.now() + 600 * MINUTE));
    expect(await botMessages(conversationId)).toBe(afterClose);
  });

  it.skipIf(skip)('a reporter who answers after the reminder starts the idle clock again', async () => {
    const { conversationId } = await open('b');
    await idleFor(conversationId, 31);
    await runJob();
    expect((await session(conversationId)).state.reminded).toBe(true);
    await t.frontline.pipeline.receive({
      channel: 'webchat', threadKey: 'idle-b', eventId: 'idle-b-1', reference: { visitor: 'b' }, user: { externalId: 'b' },
      text: 'My laptop cannot connect to the office VPN since this morning',
    } as Parameters<typeof t.frontline.pipeline.receive>[0]);
    const answered = await session(conversationId);
    expect(answered.state.reminded).toBeUndefined();
    await runAt(new Date(Date.now() + 29 * MINUTE));
    expect((await session(conversationId)).state.status).not.toBe('done');
  });

  it.skipIf(skip)('overlapping runs send a single reminder', async () => {
    const { conversationId } = await open('c');
    await idleFor(conversationId, 31);
    const before = await botMessages(conversationId);
    await Promise.all([runJob(), runAt(new Date()), runAt(new Date())]);
    const s = await session(conversationId);
    expect(s.state.reminded).toBe(true);
    expect(s.state.status).toBe('active');
    expect(await botMessages(conversationId)).toBe(before + 2); // the reminder and the question again
  });
});
