import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../helpers/databases.js';
import { eventually } from '../helpers/app.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { startGuidedApp, type GuidedApp } from './app.js';

/** A service request through the web chat on both databases: filed as type request, routed and timed as one. */
describe.each(DB_KINDS)('service request over the web chat ($kind)', ({ kind, skip }) => {
  let t: GuidedApp;
  beforeAll(async () => {
    if (!skip) t = await startGuidedApp(kind);
  }, 60_000);
  afterAll(async () => t?.close());

  /** After the description: past any KB suggestion ("none of these") to the next question. */
  async function pastSuggestions(chat: WebchatClient): Promise<string> {
    const next = await eventually(async () => {
      await chat.poll();
      return chat.transcript.find((m) => m.direction === 'out' && /These articles might solve it|When do you need it|Who is affected|Can you work/.test(m.text));
    }, 10_000, 'the question after the description');
    if (!/These articles/.test(next.text)) return next.text;
    await chat.send({ choice: 'none' });
    return (await chat.expectReply(/When do you need it|Who is affected|Can you work|Which/)).text;
  }

  it.skipIf(skip)('"New hire starting Monday needs access to Jira and GitHub": asked when, not who is affected; filed as a request for Identity & Access', async () => {
    const chat = await new WebchatClient(t.url).open();
    await chat.expectReply(/What's the problem/);
    await chat.send({ text: 'New hire starting Monday needs access to Jira and GitHub' });
    expect(await pastSuggestions(chat)).toMatch(/request rather than a fault.*When do you need it/s);
    await chat.send({ choice: 'soon' });
    await chat.expectReply(/Here is the request I'll send.*Area: account and access.*Priority: P4, because you need it within days/s);
    await chat.send({ choice: 'yes' });
    const filed = await chat.expectReply(/Your request is INC-\d{6}, priority P4\. We aim to respond within 8 hours and to fulfil it within 3 days/);
    expect(chat.outTexts().join('\n')).not.toMatch(/Who is affected|Can you work/);
    const number = Number(/INC-(\d{6})/.exec(filed.text)![1]);
    const row = await t.frontline.db.prisma.incident.findFirstOrThrow({ where: { number } });
    expect(row).toMatchObject({ type: 'request', impact: 3, urgency: 2, priority: 'P4', category: 'account_access', service: 'access_request', assignmentGroup: 'Identity & Access Management' });
    // sla.yaml requestTargets P4: 8 h to respond, 3 days to fulfil (incident P4 would be 5 days).
    expect(row.resolutionDueAt!.getTime() - row.createdAt.getTime()).toBe(3 * 86_400_000);
    expect(row.responseDueAt!.getTime() - row.createdAt.getTime()).toBe(8 * 3_600_000);
    const api = await fetch(`${t.url}/api/v1/incidents/INC-${String(number).padStart(6, '0')}`, { headers: { authorization: `Bearer ${t.agentToken}` } });
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ type: 'request' });
  });

  it.skipIf(skip)('"kan inte logga in i Outlook" stays an incident: asked about the sign-in, not "when do you need it?"', async () => {
    const chat = await new WebchatClient(t.url).open('sv');
    await chat.expectReply(/Vad är problemet/);
    await chat.send({ text: 'kan inte logga in i Outlook' });
    await eventually(async () => {
      await chat.poll();
      return chat.transcript.find((m) => m.direction === 'out' && /De här artiklarna|Vilket system|Vad händer exakt|Vilka påverkas/.test(m.text));
    }, 10_000, 'an incident question');
    expect(chat.outTexts().join('\n')).not.toMatch(/När behöver du det/);
  });
});
