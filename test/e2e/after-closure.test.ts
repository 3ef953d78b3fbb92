import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../helpers/databases.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { startGuidedApp, type GuidedApp } from '../dialog/app.js';

/** Issue #19.3: after "INC-… is closed and can't be reopened", the next message is a new report. */
describe.each(DB_KINDS)('a new problem after closure ($kind)', ({ kind, skip }) => {
  let t: GuidedApp;
  beforeAll(async () => {
    if (!skip) t = await startGuidedApp(kind);
  }, 60_000);
  afterAll(async () => t?.close());

  const patch = (number: string, body: unknown) =>
    fetch(`${t.url}/api/v1/incidents/${number}`, { method: 'PATCH', headers: { authorization: `Bearer ${t.agentToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it.skipIf(skip)('the closed incident gets nothing; the message starts the report flow and files a new incident', async () => {
    const chat = await new WebchatClient(t.url).open();
    await chat.expectReply(/What's the problem/);
    await chat.send({ text: 'My laptop docking station does not charge the laptop' });
    await chat.expectReply(/These articles|Who is affected|\?/);
    await chat.send({ text: 'talk to a human' });
    const filed = await chat.expectReply(/passed this to the service desk as INC-\d{6}/);
    const number = /INC-\d{6}/.exec(filed.text)![0];
    expect((await patch(number, { status: 'resolved', resolution: 'Replaced the dock' })).status).toBe(200);
    expect((await patch(number, { status: 'closed' })).status).toBe(200);

    await chat.send({ text: 'reopen' });
    await chat.expectReply(new RegExp(`${number} is closed and can't be reopened. Please describe the problem`));
    await chat.send({ text: 'my monitor is flickering now too' });
    // The report flow runs for it (triage → KB suggestions or questions), nothing lands on the closed incident.
    await chat.expectReply(/These articles might solve it|Who is affected|What happened/);
    const old = await t.frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) } });
    const events = await t.frontline.db.prisma.incidentEvent.findMany({ where: { incidentId: old!.id, type: 'reporter_message' } });
    expect(events.map((e) => e.body)).not.toContain('my monitor is flickering now too');
    const conversation = await t.frontline.db.prisma.conversation.findUnique({ where: { id: chat.conversationId } });
    expect(conversation?.incidentId).toBeNull();

    await chat.send({ text: 'talk to a human' });
    const second = await chat.expectReply(new RegExp(`passed this to the service desk as (?!${number})INC-\\d{6}`));
    const fresh = await t.frontline.db.prisma.incident.findFirst({ where: { number: Number(/INC-(\d{6})/.exec(second.text)![1]) } });
    expect(fresh?.description).toMatch(/my monitor is flickering now too/);
    expect(fresh?.description).not.toMatch(/docking station/);
  });
});
