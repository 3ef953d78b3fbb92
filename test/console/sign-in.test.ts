import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/accounts/passwords.js';
import { fileIncident } from '../helpers/webchat-client.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { ConsoleClient, makeAccount, PASSWORD } from './helpers.js';

describe('scrypt passwords', () => {
  it('verifies the right password only, with a fresh salt per hash', async () => {
    const a = await hashPassword('s3cret password!');
    const b = await hashPassword('s3cret password!');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(await verifyPassword('s3cret password!', a)).toBe(true);
    expect(await verifyPassword('s3cret password?', a)).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$whatever')).toBe(false);
  });
});

describe.each(DB_KINDS)('console sign-in and sessions ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  beforeAll(async () => {
    if (skip) return;
    t = await startTestApp(kind, { env: { CONSOLE_LOGIN_MAX_FAILURES: '3', CONSOLE_LOGIN_RATE_LIMIT_PER_MINUTE: '0' } });
    await makeAccount(t, 'alice@example.com', 'agent', ['Service Desk'], 'Alice Agent');
    await makeAccount(t, 'lock@example.com', 'agent');
    await makeAccount(t, 'admin@example.com', 'admin');
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(skip)('signs in with an HttpOnly SameSite cookie, uses the REST API with it, and signs out', async () => {
    const c = new ConsoleClient(t.url);
    const res = await c.signIn('Alice@Example.com');
    expect(res.status).toBe(201);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^fl_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i); // http PUBLIC_URL
    const me = await (await c.request('/console/api/session')).json();
    expect(me.account).toMatchObject({ email: 'alice@example.com', role: 'agent', groups: ['Service Desk'] });
    expect(JSON.stringify(me)).not.toMatch(/scrypt/);

    const list = await c.request('/api/v1/incidents');
    expect(list.status).toBe(200);
    expect((await c.request('/api/v1/admin/tokens')).status).toBe(403); // an agent is not an admin

    expect((await c.request('/console/api/session', { method: 'DELETE' })).status).toBe(204);
    expect((await c.request('/api/v1/incidents')).status).toBe(401);
  });

  it.skipIf(skip)('refuses a state-changing request without the CSRF token (403) and accepts it with one', async () => {
    const { number } = await fileIncident(t.url, 'The VPN client drops every ten minutes');
    const c = new ConsoleClient(t.url);
    await c.signIn('alice@example.com');
    const without = await c.request(`/api/v1/incidents/${number}/comments`, { method: 'POST', body: { text: 'hi', internal: true }, csrf: false });
    expect(without.status).toBe(403);
    expect((await without.json()).error.message).toMatch(/CSRF/);
    c.csrf = 'forged';
    expect((await c.request(`/api/v1/incidents/${number}/comments`, { method: 'POST', body: { text: 'hi', internal: true } })).status).toBe(403);
    await c.signIn('alice@example.com');
    const ok = await c.request(`/api/v1/incidents/${number}/comments`, { method: 'POST', body: { text: 'Looking into it', internal: true } });
    expect(ok.status).toBe(201);
    const note = await t.frontline.db.prisma.incidentEvent.findFirst({ where: { type: 'note', body: 'Looking into it' } });
    expect(note?.actor).toBe('Alice Agent'); // the account's name, not what the body claims
  });

  it.skipIf(skip)('a disabled account\'s session cookie gets 401 at once, and "sign out everywhere" ends every browser', async () => {
    await makeAccount(t, 'bob@example.com', 'agent');
    const one = new ConsoleClient(t.url);
    const two = new ConsoleClient(t.url);
    await one.signIn('bob@example.com');
    await two.signIn('bob@example.com');
    expect((await two.request('/api/v1/incidents')).status).toBe(200);
    expect((await one.request('/console/api/session?everywhere=true', { method: 'DELETE' })).status).toBe(204);
    expect((await two.request('/api/v1/incidents')).status).toBe(401);

    await two.signIn('bob@example.com');
    const admin = new ConsoleClient(t.url);
    await admin.signIn('admin@example.com');
    const bob = (await (await admin.request('/api/v1/admin/accounts')).json()).items.find((a: { email: string }) => a.email === 'bob@example.com');
    // Disabled in the database behind the app's back too: the session check reads the account every time.
    await t.frontline.db.prisma.account.update({ where: { id: bob.id }, data: { disabledAt: new Date() } });
    expect((await two.request('/api/v1/incidents')).status).toBe(401);
    expect((await two.signIn('bob@example.com')).status).toBe(401);
    const patched = await admin.request(`/api/v1/admin/accounts/${bob.id}`, { method: 'PATCH', body: { disabled: false } });
    expect((await patched.json()).disabled).toBe(false);
    expect((await two.signIn('bob@example.com')).status).toBe(201);
  });

  it.skipIf(skip)('locks an account after N wrong passwords: even the right one is refused until it expires', async () => {
    const c = new ConsoleClient(t.url);
    for (let i = 0; i < 2; i++) expect((await c.signIn('lock@example.com', 'wrong password!')).status).toBe(401);
    const third = await c.signIn('lock@example.com', 'wrong password!');
    expect((await third.json()).error.message).toMatch(/locked/);
    const right = await c.signIn('lock@example.com', PASSWORD);
    expect(right.status).toBe(401);
    expect((await right.json()).error.message).toMatch(/locked/);
    // Once the lock has run out, the right password works and the count starts again.
    await t.frontline.db.prisma.account.update({ where: { email: 'lock@example.com' }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await c.signIn('lock@example.com', PASSWORD)).status).toBe(201);
    const row = await t.frontline.db.prisma.account.findUnique({ where: { email: 'lock@example.com' } });
    expect(row).toMatchObject({ failedLogins: 0, lockedUntil: null });
  });

  it.skipIf(skip)('an unknown email and a wrong password get the same answer', async () => {
    const c = new ConsoleClient(t.url);
    const unknown = await (await c.signIn('nobody@example.com', 'whatever password')).json();
    const wrong = await (await c.signIn('admin@example.com', 'whatever password')).json();
    expect(unknown).toEqual(wrong);
    expect((await c.signIn('x', '')).status).toBe(400);
  });
});

describe('sign-in rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { env: { CONSOLE_LOGIN_RATE_LIMIT_PER_MINUTE: '3' } });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });
  it('answers 429 after the per-address limit', async () => {
    const c = new ConsoleClient(t.url);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await c.signIn('someone@example.com', 'nope nope nope')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
