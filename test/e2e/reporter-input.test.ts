import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { startGuidedApp, type GuidedApp } from '../dialog/app.js';

type Detail = { description: string; attachments: { id: string; filename: string; url: string; size: number }[] };

/** Issue #19.4: what the reporter types or sends before filing is kept; agents get files and the transcript. */
describe.each(DB_KINDS)('reporter input is never lost ($kind)', ({ kind, skip }) => {
  let guided: GuidedApp;
  let t: TestApp;
  beforeAll(async () => {
    if (skip) return;
    [guided, t] = await Promise.all([startGuidedApp(kind, { importKb: true }), startTestApp(kind)]);
  }, 90_000);
  afterAll(async () => Promise.all([guided?.close(), t?.close()]));

  const api = (base: string, token: string, path: string, init: RequestInit = {}) =>
    fetch(`${base}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });

  it.skipIf(skip)('text typed at choice questions answers when it names an option and is kept otherwise', async () => {
    const chat = await new WebchatClient(guided.url).open();
    await chat.expectReply(/What's the problem/);
    await chat.send({ text: 'My VPN is stuck on connecting and times out' });
    await chat.expectReply(/These articles might solve it/);
    await chat.send({ text: 'none of these, I already tried them' });
    await chat.expectReply(/Where are you connecting from/);
    await chat.send({ text: 'from home today' });
    await chat.expectReply(/Do other websites/);
    await chat.send({ text: 'the intranet is slow but websites load' });
    await chat.expectReply(/noted that for the service desk/);
    await chat.send({ text: 'yes' });
    await chat.expectReply(/Who is affected/);
    await chat.send({ text: "it's only me" });
    await chat.expectReply(/Can you work/);
    await chat.send({ text: 'the CRM is down and customers are waiting on me' });
    await chat.expectReply(/noted that for the service desk.*|Please pick one/);
    await chat.send({ choice: 'blocked' });
    await chat.expectReply(/Priority: P3, because it affects only you and work is blocked/);
    await chat.send({ choice: 'yes' });
    const filed = await chat.expectReply(/Your incident is INC-\d{6}/);
    const number = /INC-\d{6}/.exec(filed.text)![0];
    const incident = (await (await api(guided.url, guided.agentToken, `/incidents/${number}`)).json()) as Detail;
    expect(incident.description).toMatch(/location: home/);
    expect(incident.description).toMatch(/- the intranet is slow but websites load/);
    expect(incident.description).toMatch(/- the CRM is down and customers are waiting on me/);
  });

  it.skipIf(skip)('files sent before filing are linked; agents list and download them and read the transcript', async () => {
    const chat = await new WebchatClient(t.url).open();
    const upload = await fetch(`${t.url}/webchat/v1/conversations/${chat.conversationId}/attachments`, {
      method: 'POST', headers: { authorization: `Bearer ${chat.token}`, 'x-filename': 'error.txt', 'content-type': 'text/plain' }, body: 'Error 0x80070005',
    });
    expect(upload.status).toBe(201);
    const file = (await upload.json()) as { id: string };
    await chat.send({ text: 'Windows update fails with an access error' });
    await chat.send({ attachments: [file.id] });
    await chat.expectReply(/Shall I go ahead/);
    await chat.send({ choice: 'yes' });
    const number = /INC-\d{6}/.exec((await chat.expectReply(/INC-\d{6}/)).text)![0];

    const detail = (await (await api(t.url, t.tokens.agent, `/incidents/${number}`)).json()) as Detail;
    expect(detail.attachments).toEqual([expect.objectContaining({ id: file.id, filename: 'error.txt', size: 16, url: `/api/v1/incidents/${number}/attachments/${file.id}` })]);
    const download = await fetch(`${t.url}${detail.attachments[0]!.url}`, { headers: { authorization: `Bearer ${t.tokens.agent}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(await download.text()).toBe('Error 0x80070005');

    const transcript = (await (await api(t.url, t.tokens.read_only, `/incidents/${number}/transcript`)).json()) as { messages: { direction: string; text: string }[] };
    expect(transcript.messages.filter((m) => m.direction === 'in').map((m) => m.text)).toContain('Windows update fails with an access error');
    expect(transcript.messages.some((m) => m.direction === 'out' && /Shall I go ahead/.test(m.text))).toBe(true);

    // Confidential: read-only tokens get neither the transcript nor the files.
    expect((await api(t.url, t.tokens.agent, `/incidents/${number}`, { method: 'PATCH', body: JSON.stringify({ confidential: true }) })).status).toBe(200);
    expect((await api(t.url, t.tokens.read_only, `/incidents/${number}/transcript`)).status).toBe(403);
    expect((await api(t.url, t.tokens.agent, `/incidents/${number}/transcript`)).status).toBe(200);
    expect(((await (await api(t.url, t.tokens.read_only, `/incidents/${number}`)).json()) as Detail).attachments).toEqual([]);
    expect((await fetch(`${t.url}${detail.attachments[0]!.url}`, { headers: { authorization: `Bearer ${t.tokens.read_only}` } })).status).toBe(403);
  });
});
