import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, DB_KINDS } from '../helpers/databases.js';
import { WebchatClient } from '../helpers/webchat-client.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/frontline.js');
const run = promisify(execFile);

/** Issue #19.6: operator rough edges. */
describe.each(DB_KINDS)('operator rough edges ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind);
  });
  afterAll(async () => t?.close());
  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${t.url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });

  it.skipIf(skip)('a read-only token never finds a confidential incident, not even by its words', async () => {
    const chat = await new WebchatClient(t.url).open();
    await chat.send({ text: 'Zebrafish payroll export is broken' });
    await chat.expectReply(/Shall I go ahead/);
    await chat.send({ choice: 'yes' });
    const number = /INC-\d{6}/.exec((await chat.expectReply(/INC-\d{6}/)).text)![0];
    const found = async (token: string) => ((await (await api('/incidents?q=zebrafish', token)).json()) as { items: { number: string }[] }).items.map((i) => i.number);
    expect(await found(t.tokens.read_only)).toEqual([number]);
    await api(`/incidents/${number}`, t.tokens.agent, { method: 'PATCH', body: JSON.stringify({ confidential: true }) });
    expect(await found(t.tokens.read_only)).toEqual([]);
    expect(((await (await api('/incidents', t.tokens.read_only)).json()) as { items: { number: string }[] }).items.map((i) => i.number)).not.toContain(number);
    expect(await found(t.tokens.agent)).toEqual([number]);
  });

  it.skipIf(skip)('GET /admin/tokens lists tokens without secrets; admin only', async () => {
    const res = await api('/admin/tokens', t.tokens.admin);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { name: string; role: string }[] };
    expect(body.items.map((i) => [i.name, i.role])).toEqual(expect.arrayContaining([['agent-tester', 'agent'], ['read_only-tester', 'read_only']]));
    expect(JSON.stringify(body)).not.toMatch(/fl_|tokenHash|token_hash/);
    expect((await api('/admin/tokens', t.tokens.agent)).status).toBe(403);
  });

  it.skipIf(skip)('the chat page is served with a Content-Security-Policy', async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
  });

  it.skipIf(skip)('frontline token list shows tokens, never secrets', async () => {
    const db = await createTestDatabase(kind);
    try {
      const env = { ...process.env, ...db.env, LOG_LEVEL: 'warn', NODE_ENV: 'test' };
      await run(process.execPath, [BIN, 'db', 'migrate'], { env, timeout: 60_000 });
      const created = await run(process.execPath, [BIN, 'token', 'create', '--role', 'read_only', '--name', 'dashboard'], { env, timeout: 60_000 });
      const secret = created.stdout.trim();
      const listed = await run(process.execPath, [BIN, 'token', 'list'], { env, timeout: 60_000 });
      expect(listed.stdout).toMatch(/read_only\s+dashboard\s+last used never/);
      expect(listed.stdout).not.toContain(secret);
      const json = await run(process.execPath, [BIN, 'token', 'list', '--json'], { env, timeout: 60_000 });
      expect(JSON.parse(json.stdout.trim().split('\n')[0]!)).toMatchObject({ name: 'dashboard', role: 'read_only', revokedAt: null });
    } finally {
      await db.drop();
    }
  }, 120_000);
});
