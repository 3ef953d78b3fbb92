import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { outageStream } from '../fixtures/major/outage-stream.js';

const api = async (app: TestApp, method: string, path: string, body?: unknown, token = app.tokens.agent) => {
  const res = await fetch(`${app.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { items?: Record<string, unknown>[] } };
};

/** The short report flow in any language: describe, answer the confirmation's "yes" button, get the number. */
async function fileIncident(url: string, text: string): Promise<string> {
  const chat = await new WebchatClient(url).open();
  await chat.send({ text });
  await eventually(async () => {
    await chat.poll();
    return chat.transcript.some((m) => m.direction === 'out' && m.choices?.some((c) => c.id === 'yes'));
  }, 20_000, 'the confirmation');
  await chat.send({ choice: 'yes' });
  const filed = await chat.expectReply(/INC-\d{6}/, 20_000);
  return /INC-\d{6}/.exec(filed.text)![0];
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/**
 * Issue 13 §2 end to end over web chat: reports of one outage in four languages become a candidate, an agent
 * declares it, every report is its child, and a later report is told at once that the outage is known.
 */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip)(`major incidents from web chat reports (${kind})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind);
    }, 60_000);
    afterAll(async () => {
      await app?.close();
    });

    it('clusters 40 reports into one candidate, declares it, and tells a later report it is known', async () => {
      const reports = outageStream(13).filter((r) => r.truth === 'vpn-outage').slice(0, 40);
      const noise = ['My mouse stopped working', 'Please install the VPN client on my new laptop'];
      await inBatches([...reports.map((r) => r.text), ...noise], 8, (text) => fileIncident(app.url, text));

      const list = await api(app, 'GET', '/api/v1/major-incidents');
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(1);
      const candidate = list.body.items![0]!;
      expect(candidate).toMatchObject({ status: 'candidate', service: 'vpn' });
      expect(candidate.incidentCount).toBeGreaterThanOrEqual(36); // recall ≥ 0.9 of the 40
      const detail = await api(app, 'GET', `/api/v1/major-incidents/${String(candidate.number)}`);
      const titles = (detail.body.incidents as { title: string }[]).map((i) => i.title);
      expect(titles.some((t) => /mouse|install/i.test(t))).toBe(false);

      // The timeline of a child says why it was linked.
      const child = (detail.body.incidents as { number: string }[])[0]!;
      const childView = await api(app, 'GET', `/api/v1/incidents/${child.number}`);
      expect((childView.body.timeline as { type: string; body: string }[]).find((e) => e.type === 'major_linked')?.body).toMatch(/same service vpn|similar/);

      // A read-only token cannot declare; an agent can.
      expect((await api(app, 'POST', `/api/v1/major-incidents/${String(candidate.number)}/declare`, undefined, app.tokens.read_only)).status).toBe(403);
      const declared = await api(app, 'POST', `/api/v1/major-incidents/${String(candidate.number)}/declare`);
      expect(declared.status).toBe(200);
      expect(declared.body).toMatchObject({ status: 'declared', declaredBy: 'api:agent-tester' });

      // A later report, in Spanish, is told at once in Spanish, filed and linked, without the confirmation question.
      const later = await new WebchatClient(app.url).open();
      await later.send({ text: 'La VPN no funciona, no puedo conectarme desde casa' });
      const notice = await later.expectReply(/incidencia conocida: MI-\d+/);
      expect(notice.text).toMatch(/Responde "no" si tu problema es otro/);
      const number = /INC-\d{6}/.exec(notice.text)![0];
      expect(later.outTexts().some((t) => /Shall I go ahead|¿Lo registro/.test(t))).toBe(false);
      const linked = await api(app, 'GET', `/api/v1/incidents/${number}`);
      expect(linked.body.majorIncidentId).toBe(candidate.id);

      // "no": the report is unlinked and stays an incident of its own.
      await later.send({ text: 'no' });
      await later.expectReply(/ya no está vinculado/);
      const unlinked = await api(app, 'GET', `/api/v1/incidents/${number}`);
      expect(unlinked.body.majorIncidentId).toBeNull();
      expect((unlinked.body.timeline as { type: string }[]).map((e) => e.type)).toContain('major_unlinked');

      // Agents link it back and merge a second candidate into the declared one.
      expect((await api(app, 'POST', `/api/v1/major-incidents/${String(candidate.number)}/link`, { incidents: [number] })).status).toBe(200);
      expect((await api(app, 'GET', `/api/v1/incidents/${number}`)).body.majorIncidentId).toBe(candidate.id);
      const second = await api(app, 'POST', '/api/v1/major-incidents', { service: 'vpn', title: 'Madrid gateway', declare: false });
      expect(second.status).toBe(201);
      const merged = await api(app, 'POST', `/api/v1/major-incidents/${String(second.body.number)}/merge`, { into: String(candidate.number) });
      expect(merged.status).toBe(200);
      expect((await api(app, 'GET', `/api/v1/major-incidents/${String(second.body.number)}`)).body.status).toBe('dismissed');

      // Bad input is refused with a reason.
      const bad = await api(app, 'POST', '/api/v1/major-incidents', { service: 'nope', title: 'x y z' });
      expect(bad.status).toBe(400);
      expect(String(bad.body.message ?? JSON.stringify(bad.body))).toMatch(/unknown service/);
      expect((await api(app, 'POST', '/api/v1/major-incidents/MI-999/declare')).status).toBe(404);
      await eventually(async () => true);
    }, 180_000);
  });
}
