import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { fileIncident } from '../helpers/webchat-client.js';


describe.each(DB_KINDS)('incidents REST API ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${t.url}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind);
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('a status change made through the API reaches the reporter in the web chat', async () => {
    const { chat, number } = await fileIncident(t.url, 'VPN disconnects every hour');
    const res = await api(`/incidents/${number}`, t.tokens.agent, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('in_progress');
    await chat.expectReply(new RegExp(`Update on ${number}: the status is now in progress`));
  });

  it.skipIf(skip)('public replies reach the reporter, internal notes do not', async () => {
    const { chat, number } = await fileIncident(t.url, 'Cannot open the finance app');
    const note = await api(`/incidents/${number}/comments`, t.tokens.agent, { method: 'POST', body: JSON.stringify({ text: 'checking license server', internal: true }) });
    expect(note.status).toBe(201);
    const reply = await api(`/incidents/${number}/comments`, t.tokens.agent, { method: 'POST', body: JSON.stringify({ text: 'Please restart the app', author: 'Maria' }) });
    expect(reply.status).toBe(201);
    const msg = await chat.expectReply(/Please restart the app/);
    expect(msg.author).toBe('agent:Maria');
    expect(chat.outTexts().join('\n')).not.toMatch(/license server/);
    const detail = (await (await api(`/incidents/${number}`, t.tokens.agent)).json()) as { timeline: { type: string; internal: boolean }[]; sla: { firstRespondedAt: string | null } };
    expect(detail.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['created', 'note', 'reply']));
    expect(detail.sla.firstRespondedAt).not.toBeNull();
    const readOnly = (await (await api(`/incidents/${number}`, t.tokens.read_only)).json()) as { timeline: { internal: boolean }[] };
    expect(readOnly.timeline.some((e) => e.internal)).toBe(false);
  });

  it.skipIf(skip)('lists with filters and pagination', async () => {
    for (const text of ['Mouse broken', 'Keyboard broken', 'Monitor flickers']) await fileIncident(t.url, text);
    const page1 = (await (await api('/incidents?limit=2', t.tokens.read_only)).json()) as { items: { number: string }[]; nextCursor: string };
    expect(page1.items).toHaveLength(2);
    const page2 = (await (await api(`/incidents?limit=2&cursor=${page1.nextCursor}`, t.tokens.read_only)).json()) as { items: { number: string }[] };
    expect(page2.items.length).toBeGreaterThan(0);
    expect(page2.items.map((i) => i.number)).not.toContain(page1.items[0]!.number);
    const search = (await (await api('/incidents?q=keyboard', t.tokens.read_only)).json()) as { items: { title: string }[] };
    expect(search.items.map((i) => i.title)).toEqual(['Keyboard broken']);
    const byStatus = (await (await api('/incidents?status=cancelled', t.tokens.read_only)).json()) as { items: unknown[] };
    expect(byStatus.items).toHaveLength(0);
  });

  it.skipIf(skip)('enforces roles and the lifecycle', async () => {
    const { number } = await fileIncident(t.url, 'Laptop battery swollen');
    expect((await api(`/incidents/${number}`, t.tokens.read_only, { method: 'PATCH', body: JSON.stringify({ status: 'resolved' }) })).status).toBe(403);
    expect((await api(`/incidents/${number}`, t.tokens.agent, { method: 'PATCH', body: JSON.stringify({ status: 'resolved', resolution: 'replaced' }) })).status).toBe(200);
    const bad = await api(`/incidents/${number}`, t.tokens.agent, { method: 'PATCH', body: JSON.stringify({ status: 'in_progress' }) });
    expect(bad.status).toBe(409);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/cannot change status from resolved/);
    expect((await api('/admin/outbox', t.tokens.agent)).status).toBe(403);
    expect((await api('/admin/outbox?status=dead', t.tokens.admin)).status).toBe(200);
  });

  it.skipIf(skip)('bad input gets a 4xx JSON error, never a 5xx', async () => {
    const cases: [string, RequestInit & { token?: string }, number][] = [
      ['/incidents', { token: 'nope' }, 401],
      ['/incidents', { token: '' }, 401],
      ['/incidents/INC-999999', {}, 404],
      ['/incidents/not-a-ref', {}, 404],
      ['/incidents?limit=100000', {}, 400],
      ['/incidents?bogus=1', {}, 400],
      ['/incidents/1', { method: 'PATCH', body: '{"status":', headers: { 'content-type': 'application/json' } }, 400],
      ['/incidents/1', { method: 'PATCH', body: 'status=resolved', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
      ['/incidents/1', { method: 'PATCH', body: JSON.stringify({ status: 'exploded' }) }, 400],
      ['/incidents/1', { method: 'PATCH', body: JSON.stringify({}) }, 400],
      ['/incidents/1', { method: 'PATCH', body: JSON.stringify({ text: 'x'.repeat(400_000) }) }, 413],
      ['/incidents/1/comments', { method: 'POST', body: JSON.stringify({ text: '' }) }, 400],
      ['/nothing-here', {}, 404],
    ];
    for (const [path, init, status] of cases) {
      const { token, ...rest } = init;
      const res = await api(path, token ?? t.tokens.admin, rest);
      expect({ path, status: res.status }).toEqual({ path, status });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toMatch(/^[A-Z_]+$/);
      expect(body.error.message.length).toBeGreaterThan(0);
    }
    const webchat = [
      await fetch(`${t.url}/webchat/v1/conversations`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }),
      await fetch(`${t.url}/webchat/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"locale": "not a locale!"}' }),
      await fetch(`${t.url}/webchat/v1/conversations/00000000-0000-0000-0000-000000000000/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"hi"}' }),
      await fetch(`${t.url}/webchat/v1/nope`),
    ];
    expect(webchat.map((r) => r.status)).toEqual([415, 400, 401, 404]);
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it.skipIf(skip)('serves readiness, metrics and the OpenAPI document', async () => {
    const ready = (await (await fetch(`${t.url}/readyz`)).json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(ready.status).toBe('ready');
    expect(ready.checks['channel:webchat']?.ok).toBe(true);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/frontline_inbound_events_total\{channel="webchat"\} \d+/);
    expect(metrics).toMatch(/frontline_outbound_sent_total\{channel="webchat"\} \d+/);
    expect(metrics).toMatch(/frontline_dialog_step_seconds_bucket/);
    const doc = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/incidents', '/webchat/v1/conversations/{id}/events']));
  });
});
