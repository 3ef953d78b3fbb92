import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeAuditLog } from '../../src/audit/retention.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { fileIncident } from '../helpers/webchat-client.js';
import { ConsoleClient, makeAccount } from './helpers.js';

interface Entry { id: string; actor: string; via: string; action: string; target: string | null; before: Record<string, unknown> | null; after: Record<string, unknown> | null; address: string | null }

describe.each(DB_KINDS)('audit log ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  let admin: ConsoleClient;
  const audit = async (query = '') => ((await (await admin.request(`/api/v1/admin/audit${query}`)).json()) as { items: Entry[] }).items;
  beforeAll(async () => {
    if (skip) return;
    t = await startTestApp(kind, { env: { CONSOLE_LOGIN_RATE_LIMIT_PER_MINUTE: '0' } });
    await makeAccount(t, 'root@example.com', 'admin', [], 'Root Admin');
    await makeAccount(t, 'carol@example.com', 'agent', [], 'Carol');
    admin = new ConsoleClient(t.url);
    await admin.signIn('root@example.com');
  }, 180_000); // app start + scrypt hashes on a loaded machine
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(skip)('records incident changes by session and by token, replies, notes, sign-ins and account changes', async () => {
    const { number } = await fileIncident(t.url, 'Outlook keeps asking for my password');
    const carol = new ConsoleClient(t.url);
    expect((await carol.signIn('carol@example.com', 'not her password')).status).toBe(401);
    await carol.signIn('carol@example.com');
    await carol.request(`/api/v1/incidents/${number}`, { method: 'PATCH', body: { status: 'in_progress', priority: 'P2' } });
    await carol.request(`/api/v1/incidents/${number}/comments`, { method: 'POST', body: { text: 'Reset your token please', internal: false } });
    await fetch(`${t.url}/api/v1/incidents/${number}`, { method: 'PATCH', headers: { authorization: `Bearer ${t.tokens.agent}`, 'content-type': 'application/json' }, body: JSON.stringify({ assignee: 'Carol' }) });
    const created = await admin.request('/api/v1/admin/accounts', { method: 'POST', body: { email: 'dave@example.com', role: 'read_only', password: 'a long enough password' } });
    expect(created.status).toBe(201);

    const forIncident = await audit(`?target=${number}`);
    const update = forIncident.find((e) => e.action === 'incident.update' && e.actor === 'carol@example.com')!;
    expect(update).toMatchObject({ via: 'console', before: { status: 'new' }, after: { status: 'in_progress', priority: 'P2' } });
    expect(update.address).toMatch(/127\.0\.0\.1/);
    expect(forIncident.find((e) => e.action === 'incident.reply')).toMatchObject({ actor: 'carol@example.com', after: { text: 'Reset your token please' } });
    expect(forIncident.find((e) => e.actor === 'token:agent-tester')).toMatchObject({ via: 'api', action: 'incident.update', after: { assignee: 'Carol' } });
    // The reporter's own messages and the bot's filing are not a desk action.
    expect(forIncident.every((e) => e.actor !== 'reporter' && e.actor !== 'bot')).toBe(true);

    const failed = await audit('?action=auth.sign_in_failed');
    expect(failed[0]).toMatchObject({ actor: 'carol@example.com', after: { reason: 'invalid' } });
    expect((await audit('?action=auth.sign_in&actor=carol@example.com')).length).toBe(1);
    const account = (await audit('?action=account.create'))[0]!;
    expect(account).toMatchObject({ actor: 'root@example.com', target: 'account:dave@example.com' });
    expect(JSON.stringify(account)).not.toMatch(/long enough|scrypt/);

    const csv = await admin.request(`/api/v1/admin/audit?format=csv&target=${number}`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe('id,at,actor,via,action,target,before,after,address');
    expect(text).toMatch(/incident\.reply/);
    // Only admins read the log.
    expect((await carol.request('/api/v1/admin/audit')).status).toBe(403);
  });

  it.skipIf(skip)('KB edits through the API are audited with before and after; a read-only person cannot edit', async () => {
    const put = (c: ConsoleClient, title: string) => c.request('/api/v1/kb/articles/printer-jam', { method: 'PUT', body: { title, body: 'Open tray 2 and remove the paper.', language: 'en', category: 'hardware', tags: ['printer'] } });
    expect((await put(admin, 'Printer jams')).status).toBe(201);
    expect((await put(admin, 'Printer paper jams')).status).toBe(200);
    const [update] = await audit('?action=kb.update');
    expect(update).toMatchObject({ actor: 'root@example.com', target: 'kb:printer-jam', before: { title: 'Printer jams' }, after: { title: 'Printer paper jams' } });
    const list = await (await admin.request('/api/v1/kb/articles?q=paper')).json();
    expect(list.items.map((a: { id: string }) => a.id)).toContain('printer-jam');
    expect((await admin.request('/api/v1/kb/articles/Bad%20Id', { method: 'PUT', body: { title: 'x', body: 'y', language: 'en' } })).status).toBe(400);
    await makeAccount(t, 'reader@example.com', 'read_only');
    const reader = new ConsoleClient(t.url);
    await reader.signIn('reader@example.com');
    expect((await put(reader, 'defaced')).status).toBe(403);
  });

  it.skipIf(skip)('an audit row cannot be changed or deleted, through the API or straight in the database', async () => {
    const [first] = await audit();
    expect((await admin.request(`/api/v1/admin/audit/${first!.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await admin.request(`/api/v1/admin/audit/${first!.id}`, { method: 'PATCH', body: { actor: 'nobody' } })).status).toBe(404);
    const { pool } = t.frontline.db;
    await expect(pool.query("UPDATE audit_entry SET actor = 'nobody' WHERE id = $1", [first!.id])).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit_entry WHERE id = $1', [first!.id])).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE audit_entry')).rejects.toThrow(/append-only/);
    const { rows } = await pool.query('SELECT actor FROM audit_entry WHERE id = $1', [first!.id]);
    expect(rows[0].actor).toBe(first!.actor);
  });

  it.skipIf(skip)('the retention purge is the one path that deletes, and only entries older than the retention', async () => {
    const { pool, prisma } = t.frontline.db;
    await prisma.auditEntry.create({ data: { actor: 'old', via: 'api', action: 'test.old', at: new Date(Date.now() - 40 * 86_400_000) } });
    const before = await prisma.auditEntry.count();
    expect(await purgeAuditLog(t.frontline.db, 0)).toBe(0); // 0 keeps for ever
    expect(await purgeAuditLog(t.frontline.db, 30)).toBe(1);
    expect(await prisma.auditEntry.count()).toBe(before - 1);
    // The setting is transaction-local: the next plain DELETE is refused again.
    await expect(pool.query('DELETE FROM audit_entry')).rejects.toThrow(/append-only/);
  });
});
