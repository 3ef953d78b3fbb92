import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { WebchatClient } from '../helpers/webchat-client.js';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/frontline.js');

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip)(`problems (${kind})`, () => {
    let app: TestApp;
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${app.url}${p}`, { method, headers: { authorization: `Bearer ${app.tokens.agent}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const file = (title: string, assignee?: string) =>
      app.frontline.pipeline.transaction(async (tx) => {
        const reporter = await tx.contact.create({ data: { displayName: 'R' } });
        const incident = await app.frontline.incidents.create(tx, { title, description: title, reporterId: reporter.id });
        return assignee ? tx.incident.update({ where: { id: incident.id }, data: { assignee } }) : incident;
      });

    beforeAll(async () => {
      app = await startTestApp(kind, { env: { PROBLEM_RULE_MIN_INCIDENTS: '3', PROBLEM_RULE_DAYS: '30', FRONTLINE_DIALOG: 'report-guided' } });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
    });

    it('opens a problem when similar incidents of one service recur, offers its workaround to new reports, and tells assignees when it closes', async () => {
      await file('The printer on floor 3 shows a paper jam error', 'Alice');
      await file('Printer on floor 3: paper jam error again', 'Bob');
      await file('My laptop battery is swollen');
      expect((await api('GET', '/api/v1/problems')).body.items).toEqual([]);
      await file('printer floor 3 paper jam error, cannot print');
      const problems = (await api('GET', '/api/v1/problems')).body.items as { number: string; service: string; createdBy: string }[];
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ service: 'printers' });
      expect(problems[0]!.createdBy).toMatch(/problem-rule \(3 similar incidents in 30 days\)/);
      const number = problems[0]!.number;
      const detail = await api('GET', `/api/v1/problems/${number}`);
      expect(detail.body.incidents).toHaveLength(3);

      // Workaround → known error → KB article offered first to a new printer report in the guided dialog.
      const known = await api('POST', `/api/v1/problems/${number}/workaround`, { text: 'Use the printer on floor 2 until the fuser is replaced.' });
      expect(known.body).toMatchObject({ status: 'known_error', kbArticleId: expect.stringMatching(/^known-error-prb-/) });
      const chat = await new WebchatClient(app.url).open('en');
      await chat.send({ text: 'The printer on floor 3 does not print, paper jam' });
      const suggestion = await chat.expectReply(/./, 15_000);
      await eventually(async () => {
        await chat.poll();
        return chat.transcript.some((m) => m.choices?.some((c) => /Known error/.test(c.label)));
      }, 15_000, 'the known error offered');
      expect(suggestion).toBeTruthy();

      // Closing notifies the linked incidents' assignees (an internal note each) and withdraws the article.
      const closed = await api('POST', `/api/v1/problems/${number}/close`, { resolution: 'Fuser replaced' });
      expect(closed.body).toMatchObject({ status: 'closed', notified: 3 });
      const notes = await app.frontline.db.prisma.incidentEvent.findMany({ where: { type: 'note', body: { contains: 'was closed' } } });
      expect(notes).toHaveLength(3);
      expect(notes.map((n) => n.body).join('\n')).toMatch(/Alice: PRB-\d+ .* was closed by api:agent-tester: Fuser replaced/);
      expect(await app.frontline.db.prisma.kbArticle.count({ where: { tags: { has: 'service:printers' } } })).toBe(0);
    }, 60_000);

    it('validates input and is driven from the CLI too', async () => {
      expect((await api('POST', '/api/v1/problems', { title: 'x' })).status).toBe(400);
      expect((await api('POST', '/api/v1/problems', { title: 'Wifi drops', service: 'nope' })).status).toBe(400);
      expect((await api('GET', '/api/v1/problems/PRB-999')).status).toBe(404);
      const created = await api('POST', '/api/v1/problems', { title: 'Wi-Fi drops in building B', service: 'wifi' });
      expect(created.status).toBe(201);
      if (kind !== 'postgres') return; // the embedded database belongs to the test server; the CLI attaches on PostgreSQL
      const env = { ...process.env, DATABASE_URL: app.db.env.DATABASE_URL, FRONTLINE_SECRET: app.db.env.FRONTLINE_SECRET, FRONTLINE_DATA_DIR: app.db.env.FRONTLINE_DATA_DIR, LOG_LEVEL: 'silent' };
      const listed = await run('node', [BIN, 'problems', 'list', '--json'], { env });
      expect(listed.stdout).toContain('Wi-Fi drops in building B');
      const closed = await run('node', [BIN, 'problems', 'close', String(created.body.number), 'access point replaced'], { env });
      expect(JSON.parse(closed.stdout)).toMatchObject({ status: 'closed', resolution: 'access point replaced' });
    }, 60_000);
  });
}
