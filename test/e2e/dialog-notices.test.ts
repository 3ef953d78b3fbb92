import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../helpers/databases.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { startGuidedApp, type GuidedApp } from '../dialog/app.js';

/**
 * One status change = one message to the reporter. The status notice (notifications) and the dialog's own
 * message (CSAT after a resolve, "I've cancelled …" after the reporter's cancel) used to both arrive.
 */
describe.each(DB_KINDS)('reporter notices of status changes ($kind)', ({ kind, skip }) => {
  let t: GuidedApp;
  beforeAll(async () => {
    if (!skip) t = await startGuidedApp(kind, { importKb: false });
  }, 60_000);
  afterAll(async () => t?.close());

  const api = (path: string, body: unknown) =>
    fetch(`${t.url}/api/v1${path}`, { method: 'PATCH', body: JSON.stringify(body), headers: { authorization: `Bearer ${t.agentToken}`, 'content-type': 'application/json' } });

  /** Files an incident through the chat (no KB imported: describe → diagnosis → impact → urgency → summary). */
  async function file(chat: WebchatClient): Promise<string> {
    await chat.expectReply(/What's the problem/);
    await chat.send({ text: 'Outlook keeps freezing whenever I open a shared mailbox' });
    await chat.expectReply(/Where do you use your email/);
    await chat.send({ choice: 'desktop' });
    await chat.expectReply(/What doesn't work/);
    await chat.send({ choice: 'everything' });
    await chat.expectReply(/Who is affected/);
    await chat.send({ choice: 'me' });
    await chat.expectReply(/Can you work/);
    await chat.send({ choice: 'fine' });
    await chat.expectReply(/Shall I file it/);
    await chat.send({ choice: 'yes' });
    const filed = await chat.expectReply(/Your incident is INC-\d{6}/);
    return /INC-\d{6}/.exec(filed.text)![0];
  }

  /** Reporter-visible messages queued for the conversation after `seq`. */
  async function outAfter(conversationId: string, seq: bigint) {
    return t.frontline.db.prisma.message.findMany({ where: { conversationId, direction: 'out', seq: { gt: seq } }, orderBy: { seq: 'asc' } });
  }
  async function lastSeq(conversationId: string): Promise<bigint> {
    const last = await t.frontline.db.prisma.message.findFirst({ where: { conversationId }, orderBy: { seq: 'desc' } });
    return last!.seq;
  }

  it.skipIf(skip)('an agent resolves: one message that says it is resolved and asks for the rating', async () => {
    const chat = await new WebchatClient(t.url).open();
    const number = await file(chat);
    const before = await lastSeq(chat.conversationId);
    expect((await api(`/incidents/${number}`, { status: 'resolved', resolution: 'Rebuilt the Outlook profile' })).status).toBe(200);
    const out = await outAfter(chat.conversationId, before);
    expect(out.map((m) => m.text)).toEqual([expect.stringMatching(new RegExp(`${number} has been resolved: Rebuilt the Outlook profile\\nHow happy`))]);
    expect((out[0]!.choices as { id: string }[]).map((c) => c.id)).toEqual(['1', '2', '3', '4', '5']);
    // CSAT still works from that one message.
    await chat.send({ choice: '4' });
    await chat.expectReply(/Anything you'd like to add/);
  });

  it.skipIf(skip)('an agent cancels: one status notice', async () => {
    const chat = await new WebchatClient(t.url).open();
    const number = await file(chat);
    const before = await lastSeq(chat.conversationId);
    expect((await api(`/incidents/${number}`, { status: 'cancelled' })).status).toBe(200);
    expect((await outAfter(chat.conversationId, before)).map((m) => m.text)).toEqual([`Update on ${number}: the status is now cancelled.`]);
  });

  it.skipIf(skip)('the reporter cancels in the chat: one reply, no extra status notice', async () => {
    const chat = await new WebchatClient(t.url).open();
    const number = await file(chat);
    const before = await lastSeq(chat.conversationId);
    await chat.send({ text: 'cancel' });
    await chat.expectReply(new RegExp(`cancelled ${number}`));
    const out = await outAfter(chat.conversationId, before);
    expect(out.map((m) => m.text)).toEqual([`OK, I've cancelled ${number}. Write to me any time if you need help again.`]);
    expect(await t.frontline.db.prisma.incident.count({ where: { number: Number(number.slice(4)), status: 'cancelled' } })).toBe(1);
  });

  it.skipIf(skip)('other status changes still reach the reporter as a notice', async () => {
    const chat = await new WebchatClient(t.url).open();
    const number = await file(chat);
    const before = await lastSeq(chat.conversationId);
    expect((await api(`/incidents/${number}`, { status: 'in_progress' })).status).toBe(200);
    expect((await outAfter(chat.conversationId, before)).map((m) => m.text)).toEqual([`Update on ${number}: the status is now in progress.`]);
  });
});
