import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { fileIncident, WebchatClient } from '../helpers/webchat-client.js';

/**
 * What PostgreSQL cannot store (a NUL) once made every text field a 500 that each retry repeated; tokens were
 * taken from query strings everywhere; a reused Idempotency-Key was taken for the first request. One test per
 * point, on both databases.
 */

describe.each(DB_KINDS)('input hardening ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const api = (path: string, init: RequestInit & { token?: string; scheme?: string } = {}) =>
    fetch(`${t.url}${path}`, {
      ...init,
      headers: {
        authorization: `${init.scheme ?? 'Bearer'} ${init.token ?? t.tokens.agent}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.headers ?? {}),
      },
    });

  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind);
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('NUL characters in incident fields, comments and chat messages are removed, not a 500', async () => {
    const { chat, number } = await fileIncident(t.url, 'Printer on floor 2 jams');
    const patch = await api(`/api/v1/incidents/${number}`, {
      method: 'PATCH',
      body: JSON.stringify({ assignee: 'ma\u0000ria', assignmentGroup: 'Service\u0000 Desk', status: 'assigned' }),
    });
    expect(patch.status).toBe(200);
    const patched = (await patch.json()) as { assignee: string; assignmentGroup: string };
    expect(patched.assignee).toBe('maria');
    expect(patched.assignmentGroup).toBe('Service Desk');

    const resolved = await api(`/api/v1/incidents/${number}`, { method: 'PATCH', body: JSON.stringify({ status: 'resolved', resolution: 'Replaced\u0000 the\u0007 roller' }) });
    expect(resolved.status).toBe(200);
    expect(((await resolved.json()) as { resolution: string }).resolution).toBe('Replaced the roller');

    const comment = await api(`/api/v1/incidents/${number}/comments`, { method: 'POST', body: JSON.stringify({ text: 'Checked\u0000 it', internal: true }) });
    expect(comment.status).toBe(201);
    const detail = (await (await api(`/api/v1/incidents/${number}`)).json()) as { timeline: { type: string; body: string | null }[] };
    expect(detail.timeline.find((e) => e.type === 'note')?.body).toBe('Checked it');

    // The same request retried under its key is answered the same way (it used to loop on 500).
    const key = randomUUID();
    const first = await chat.send({ text: 'one more\u0000 thing' }, key);
    expect(first.status).toBe(202);
    const again = await chat.send({ text: 'one more\u0000 thing' }, key);
    expect(again.status).toBe(202);
    expect(((await again.json()) as { messageId: string }).messageId).toBe(((await first.json()) as { messageId: string }).messageId);
    const page = (await chat.poll()).filter((m) => m.direction === 'in').map((m) => m.text);
    expect(page).toContain('one more thing');
  });

  it.skipIf(skip)('a control character in a URL path is refused with a reason', async () => {
    const res = await api('/api/v1/admin/agents/a%00b@example.com', { method: 'PUT', token: t.tokens.admin, body: JSON.stringify({ displayName: 'X' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/control characters/);
  });

  it.skipIf(skip)('the web chat token is accepted in ?token= only for event streams and downloads', async () => {
    const chat = await new WebchatClient(t.url).open();
    const base = `${t.url}/webchat/v1/conversations/${chat.conversationId}`;
    const q = `token=${encodeURIComponent(chat.token)}`;
    const read = await fetch(`${base}/messages?${q}`);
    expect(read.status).toBe(401);
    expect(((await read.json()) as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer/);
    const write = await fetch(`${base}/messages?${q}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi' }) });
    expect(write.status).toBe(401);
    const upload = await fetch(`${base}/attachments?${q}`, { method: 'POST', headers: { 'x-filename': 'a.txt', 'content-type': 'text/plain' }, body: 'hello' });
    expect(upload.status).toBe(401);
    expect((await chat.poll()).filter((m) => m.direction === 'in')).toEqual([]); // nothing was stored

    const stored = await fetch(`${base}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${chat.token}`, 'x-filename': 'a.txt', 'content-type': 'text/plain' }, body: 'hello' });
    expect(stored.status).toBe(201);
    const { id } = (await stored.json()) as { id: string };
    const download = await fetch(`${base}/attachments/${id}?${q}`);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('hello');

    const controller = new AbortController();
    const stream = await fetch(`${base}/events?${q}`, { signal: controller.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    controller.abort();
  });

  it.skipIf(skip)('Idempotency-Key: the same body replays the first response, another body is a 422', async () => {
    const chat = await new WebchatClient(t.url).open();
    const key = randomUUID();
    const first = await chat.send({ text: 'VPN keeps dropping' }, key);
    expect(first.status).toBe(202);
    const firstBody = (await first.json()) as { messageId: string };
    expect(firstBody.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const replay = await chat.send({ text: 'VPN keeps dropping' }, key);
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(firstBody);

    const reused = await chat.send({ text: 'Something else entirely' }, key);
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const inbound = (await chat.poll()).filter((m) => m.direction === 'in').map((m) => m.text);
    expect(inbound).toEqual(['VPN keeps dropping']);

    // The REST API's comments follow the same rules, per client token.
    const { number } = await fileIncident(t.url, 'Laptop battery swells');
    const post = (text: string, token = t.tokens.agent) =>
      api(`/api/v1/incidents/${number}/comments`, { method: 'POST', token, headers: { 'idempotency-key': 'comment-key-1' }, body: JSON.stringify({ text, internal: true }) });
    const c1 = await post('first note');
    expect(c1.status).toBe(201);
    const c1Body = await c1.json();
    const c2 = await post('first note');
    expect(c2.status).toBe(201);
    expect(c2.headers.get('idempotent-replayed')).toBe('true');
    expect(await c2.json()).toEqual(c1Body);
    expect((await post('a different note')).status).toBe(422);
    // Another client may use the same key for its own request.
    expect((await post('admin note', t.tokens.admin)).status).toBe(201);
    const detail = (await (await api(`/api/v1/incidents/${number}`)).json()) as { timeline: { type: string; body: string | null }[] };
    expect(detail.timeline.filter((e) => e.type === 'note').map((e) => e.body)).toEqual(['first note', 'admin note']);
  });

  it.skipIf(skip)('the Authorization scheme is case-insensitive (RFC 9110)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      expect((await api('/api/v1/incidents', { scheme })).status).toBe(200);
    }
    expect((await api('/api/v1/incidents', { scheme: 'Basic' })).status).toBe(401);
    const chat = await new WebchatClient(t.url).open();
    const res = await fetch(`${t.url}/webchat/v1/conversations/${chat.conversationId}/messages`, { headers: { authorization: `bearer ${chat.token}` } });
    expect(res.status).toBe(200);
  });
});
