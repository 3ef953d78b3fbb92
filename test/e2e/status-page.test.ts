import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { MailChannel } from '../broadcast/fakes.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[frontline tests] ${CHROMIUM} not found (apt-get install chromium): status page browser test skipped`);

describe.skipIf(!haveChromium)('status page in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  const email = new MailChannel('email');
  const api = (route: string, body: unknown) =>
    fetch(`${t.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${t.tokens.agent}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestApp('pglite', { channels: [email] });
    const prisma = t.frontline.db.prisma;
    // An outage declared two hours ago with two updates, an older resolved one (uptime), a restricted one (never shown).
    const mi = await prisma.majorIncident.create({ data: { serviceId: 'exchange_outlook', title: 'Email delivery delayed', status: 'declared', declaredAt: new Date(Date.now() - 2 * 3_600_000) } });
    await prisma.majorIncident.create({ data: { serviceId: 'vpn', title: 'VPN gateway failure', status: 'resolved', declaredAt: new Date(Date.now() - 20 * 86_400_000), resolvedAt: new Date(Date.now() - 20 * 86_400_000 + 5 * 3_600_000) } });
    await prisma.majorIncident.create({ data: { serviceId: 'wifi', title: 'Rogue access point in building B', status: 'declared', restricted: true, declaredAt: new Date() } });
    expect((await api(`/api/v1/major-incidents/MI-${mi.number}/updates`, { status: 'investigating', publicText: { en: 'Mail to external addresses is delayed by up to an hour.', sv: 'E-post till externa adresser fördröjs upp till en timme.' } })).status).toBe(201);
    expect((await api(`/api/v1/major-incidents/MI-${mi.number}/updates`, { status: 'identified', publicText: { en: 'A full disk on the outbound relay; we are moving the queue.', sv: 'En full disk på utgående relä; vi flyttar kön.' } })).status).toBe(201);
    const starts = new Date(Date.now() + 2 * 86_400_000);
    const res = await api('/api/v1/maintenance', { service: 'vpn', title: { en: 'VPN gateway firmware upgrade', sv: 'Uppgradering av VPN-gatewayens firmware' }, startsAt: starts.toISOString(), endsAt: new Date(starts.getTime() + 2 * 3_600_000).toISOString() });
    expect(res.status).toBe(201);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const [lang, heading, identified] of [['en', 'IT service status', 'Identified'], ['sv', 'Driftstatus för IT-tjänster', 'Orsak hittad']] as const) {
    it(`shows services, the active incident with its history, maintenance and uptime (${lang}, desktop and phone)`, async () => {
      for (const [device, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 360, height: 740 }]] as const) {
        const page = await browser.newPage({ viewport, ...(device === 'phone' ? { isMobile: true, hasTouch: true } : {}) });
        const errors: string[] = [];
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        await page.goto(`${t.url}/status?lang=${lang}`);
        await expect(page.locator('h1').textContent()).resolves.toBe(heading);
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        const incident = page.locator('.incident');
        expect(await incident.count()).toBe(1);
        expect(await incident.locator('.updates li').count()).toBe(2);
        expect(await incident.textContent()).toContain(identified);
        expect(await page.content()).not.toContain('Rogue access point');
        expect(await page.locator('.service').count()).toBeGreaterThanOrEqual(3);
        expect(await page.locator('.service').first().locator('.bar').count()).toBe(90);
        expect(await page.locator('.bar-outage').count()).toBeGreaterThanOrEqual(2); // today's mail outage and the VPN failure 20 days ago
        expect(await page.locator('.maintenance li').count()).toBe(1);
        // Phone-sized: nothing wider than the screen; the form is reachable and labelled.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        expect(await page.getByLabel(lang === 'en' ? 'Email address' : 'E-postadress').count()).toBe(1);
        expect(errors).toEqual([]); // the CSP blocks nothing the page needs
        await page.screenshot({ path: path.join(ARTIFACTS, `status-${device}-${lang}.png`), fullPage: true });
        await page.close();
      }
    }, 60_000);
  }

  it('subscribing from the page sends a confirmation; the signed link activates it, the unsubscribe link ends it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${t.url}/status?lang=es`);
    await page.getByLabel('Correo electrónico').fill('Dana@Example.com');
    await page.getByLabel('Servicio', { exact: true }).selectOption('vpn');
    await page.getByRole('button', { name: 'Suscribirse' }).click();
    await page.locator('.notice').waitFor();
    expect(await page.locator('.notice').textContent()).toMatch(/Revise su bandeja/);
    await page.close();
    const mail = await eventually(async () => email.deliveries.find((d) => d.address === 'dana@example.com'), 15_000, 'the confirmation mail');
    expect(mail.text).toMatch(/Confirme que desea recibir avisos sobre VPN/);
    const link = /https?:\/\/\S+\/status\/confirm\?token=\S+/.exec(mail.text)![0];
    const sub = () => t.frontline.db.prisma.subscription.findFirstOrThrow({ where: { address: 'dana@example.com' } });
    expect((await sub()).status).toBe('pending');
    const forged = await fetch(link.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
    expect(forged.status).toBe(400);
    const confirmed = await fetch(link);
    expect(confirmed.status).toBe(200);
    expect((await sub()).status).toBe('active');
    // A second subscribe of the same address sends nothing more.
    await fetch(`${t.url}/status/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=dana%40example.com&service=vpn&lang=es', redirect: 'manual' });
    await new Promise((r) => setTimeout(r, 300));
    expect(email.deliveries.filter((d) => d.address === 'dana@example.com')).toHaveLength(1);
    const { signLink } = await import('../../src/subscriptions/tokens.js');
    const off = await fetch(`${t.url}/status/unsubscribe?token=${signLink(t.db.env.FRONTLINE_SECRET, (await sub()).id, 'unsubscribe')}`);
    expect(off.status).toBe(200);
    expect((await sub()).status).toBe('unsubscribed');
  }, 60_000);

  it('serves the feeds and JSON without restricted incidents; bad input is a 400', async () => {
    const atom = await (await fetch(`${t.url}/status/feed.atom?lang=sv`)).text();
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect(atom).toContain('En full disk på utgående relä');
    const rss = await fetch(`${t.url}/status/feed.rss`);
    expect(rss.headers.get('content-type')).toMatch(/application\/rss\+xml/);
    const json = (await (await fetch(`${t.url}/status.json`)).json()) as { services: { id: string; state: string; uptime90d: number }[]; incidents: unknown[] };
    expect(json.services.find((s) => s.id === 'exchange_outlook')!.state).toBe('outage');
    expect(json.services.find((s) => s.id === 'wifi')!.state).toBe('operational'); // restricted: not even the state
    expect(json.services.find((s) => s.id === 'vpn')!.uptime90d).toBeLessThan(100);
    expect(json.incidents).toHaveLength(1);
    const bad = await fetch(`${t.url}/status/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=not-an-address' });
    expect(bad.status).toBe(400);
    const badMaintenance = await api('/api/v1/maintenance', { service: 'vpn', title: 'x', startsAt: '2026-12-10T10:00:00Z', endsAt: '2026-12-10T09:00:00Z' });
    expect(badMaintenance.status).toBe(400);
  });
});

describe('private status page (STATUS_PAGE_PUBLIC=false)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { env: { STATUS_PAGE_PUBLIC: 'false' } });
  }, 60_000);
  afterAll(async () => t?.close());

  it('asks for a sign-in; an agent token (header or the form) opens it, a read-only one does not', async () => {
    const anonymous = await fetch(`${t.url}/status`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toContain('Sign in to see the status page');
    expect((await fetch(`${t.url}/status.json`)).status).toBe(401);
    expect((await fetch(`${t.url}/status`, { headers: { authorization: `Bearer ${t.tokens.agent}` } })).status).toBe(200);
    const readOnly = await fetch(`${t.url}/status/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${t.tokens.read_only}`, redirect: 'manual' });
    expect(readOnly.status).toBe(401);
    const login = await fetch(`${t.url}/status/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${t.tokens.agent}&lang=sv`, redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).toMatch(/^frontline_status=/);
    expect((await fetch(`${t.url}/status`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${t.url}/status`, { headers: { cookie: cookie.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) } })).status).toBe(401);
  });
});
