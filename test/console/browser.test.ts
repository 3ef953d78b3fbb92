import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { fileIncident } from '../helpers/webchat-client.js';
import { SlackWorld, TRIAGE } from '../channels/slack/world.js';
import { makeAccount, PASSWORD } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[frontline tests] ${CHROMIUM} not found (apt-get install chromium): console browser tests skipped`);

// Reporter text is hostile: it must show as text in the console, never run.
const HOSTILE = 'Wi-Fi drops every hour <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>';

async function signIn(page: Page, url: string, email: string) {
  await page.goto(`${url}/console`);
  await page.getByTestId('signin-email').fill(email);
  await page.getByTestId('signin-password').fill(PASSWORD);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('signed-in-as').waitFor();
}

describe.skipIf(!haveChromium)('agent console in a real browser', () => {
  let world: SlackWorld;
  let browser: Browser;
  let number = '';
  const cspViolations: string[] = [];
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    world = await SlackWorld.start('pglite', {}, { appEnv: { CONSOLE_LOGIN_RATE_LIMIT_PER_MINUTE: '0' } });
    await makeAccount(world.app, 'maria@example.com', 'agent', ['Service Desk', 'Network Operations'], 'Maria <b>Agent</b>');
    await makeAccount(world.app, 'boss@example.com', 'admin', [], 'Boss');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('sign in, queue, incident from the web chat, reply reaches the web chat and the Slack thread, resolve', async () => {
    const t = world.app;
    // The reporter, in the web chat page.
    const reporter = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await reporter.goto(`${t.url}/`);
    await reporter.getByTestId('chat-input').fill(HOSTILE);
    await reporter.getByTestId('chat-send').click();
    await reporter.getByTestId('choice-button').filter({ hasText: 'Yes' }).click({ timeout: 15_000 });
    const filed = reporter.getByTestId('msg-out').filter({ hasText: /INC-\d{6}/ });
    await filed.waitFor({ timeout: 15_000 });
    number = /INC-\d{6}/.exec((await filed.textContent()) ?? '')![0];
    const card = await world.card();

    // The agent, in the console.
    const agent = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    agent.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
    const response = await agent.goto(`${t.url}/console`);
    expect(response!.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    expect(response!.headers()['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    await signIn(agent, t.url, 'maria@example.com');
    expect(await agent.getByTestId('signed-in-as').textContent()).toContain('Maria <b>Agent</b>'); // a name is text too
    const row = agent.getByTestId('queue-row').filter({ hasText: number });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('<img src=x');
    expect(await row.getByTestId('sla-clock').getAttribute('data-tone')).toMatch(/ok|warning/);
    await agent.screenshot({ path: path.join(ARTIFACTS, 'console-queue-desktop.png'), fullPage: true });

    // Live: a change made elsewhere (the API) shows in the open queue without reloading.
    await fetch(`${t.url}/api/v1/incidents/${number}`, { method: 'PATCH', headers: { authorization: `Bearer ${t.tokens.agent}`, 'content-type': 'application/json' }, body: JSON.stringify({ priority: 'P2' }) });
    await row.locator('.prio--P2').waitFor({ timeout: 10_000 });

    await row.getByRole('link', { name: number }).click();
    await agent.getByTestId('incident-page').waitFor();
    expect(await agent.getByTestId('incident-title').textContent()).toContain('<img src=x');
    await agent.getByTestId('transcript-item').filter({ hasText: '<script>' }).first().waitFor();
    await agent.getByTestId('action-take').click();
    await agent.getByTestId('incident-assignee').filter({ hasText: 'Maria <b>Agent</b>' }).waitFor();

    await agent.getByTestId('reply-text').fill('Please forget the network and reconnect; <i>I</i> reset the access point.');
    await agent.getByTestId('reply-send').click();
    // The reporter's open chat shows it…
    await reporter.getByTestId('msg-out').filter({ hasText: 'reset the access point' }).waitFor({ timeout: 15_000 });
    // …the Slack card's thread too…
    await world.expectPosted(/reset the access point/, { channel: TRIAGE, threadTs: card.ts });
    // …and the console's transcript marks it sent.
    const reply = agent.getByTestId('transcript-item').filter({ hasText: 'reset the access point' }).first();
    await reply.getByTestId('delivery').filter({ hasText: 'sent' }).waitFor({ timeout: 10_000 });
    await agent.getByTestId('note-text').fill('AP-3 firmware is old');
    await agent.getByTestId('note-send').click();
    await agent.getByTestId('transcript-item').filter({ hasText: 'AP-3 firmware' }).waitFor();
    await agent.screenshot({ path: path.join(ARTIFACTS, 'console-incident-desktop.png'), fullPage: true });

    await agent.getByTestId('resolution-text').fill('Access point reset; the laptop reconnects.');
    await agent.getByTestId('action-resolve').click();
    await agent.locator('.badge--resolved').waitFor({ timeout: 10_000 });
    await reporter.getByTestId('msg-out').filter({ hasText: /resolved/i }).first().waitFor({ timeout: 15_000 });
    await world.expectPosted(/resolved/i, { channel: TRIAGE, threadTs: card.ts });

    expect(await agent.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(cspViolations).toEqual([]);

    // The audit log holds each of the agent's actions of this test.
    const actions = (await t.frontline.db.prisma.auditEntry.findMany({ where: { target: number, actor: 'maria@example.com' }, orderBy: { id: 'asc' } })).map((e) => e.action);
    expect(actions).toEqual(['incident.update', 'incident.reply', 'incident.note', 'incident.update']);
    expect(await t.frontline.db.prisma.auditEntry.count({ where: { action: 'auth.sign_in', actor: 'maria@example.com' } })).toBe(1);
    await reporter.close();
    await agent.close();
  }, 180_000);

  it('phone-sized console: queue and incident without horizontal scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signIn(page, world.app.url, 'maria@example.com');
    await page.getByTestId('filter-status').selectOption('all');
    await page.getByTestId('queue-row').first().waitFor();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-queue-phone.png'), fullPage: true });
    await page.goto(`${world.app.url}/console#/incident/${number}`);
    await page.getByTestId('incident-page').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-incident-phone.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('admin pages: audit log and accounts; a Swedish browser gets Swedish labels', async () => {
    const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1366, height: 860 } });
    const page = await context.newPage();
    await signIn(page, world.app.url, 'boss@example.com');
    expect(await page.getByRole('link', { name: 'Kö' }).count()).toBe(1);
    await page.goto(`${world.app.url}/console#/audit`);
    await page.getByTestId('audit-row').filter({ hasText: 'incident.reply' }).first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-audit-desktop.png'), fullPage: true });
    await page.goto(`${world.app.url}/console#/admin`);
    await page.getByTestId('account-row').filter({ hasText: 'maria@example.com' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-admin-desktop.png'), fullPage: true });

    await context.close();
  }, 60_000);

  it('KB editor: write an article whose title is markup; it shows as text and the edit is audited', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    await signIn(page, world.app.url, 'boss@example.com');
    // KB editor: a new article whose title is markup shows it as text, and the edit is audited.
    await page.goto(`${world.app.url}/console#/kb`);
    await page.getByTestId('kb-page').waitFor();
    await page.getByTestId('kb-new').click();
    await page.locator('[data-testid="kb-editor"] input[name="id"]').fill('vpn-reset-xss');
    await page.getByTestId('kb-title').fill('Reset the VPN <img src=x onerror="window.__xss=3">');
    await page.getByTestId('kb-body').fill('1. Quit the VPN client\n2. Start it again');
    await page.getByTestId('kb-save').click();
    await page.getByTestId('kb-search').fill('vpn-reset');
    await page.getByTestId('kb-search').press('Enter');
    const created = page.getByTestId('kb-row').filter({ hasText: '<img src=x' });
    await created.waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await created.getByRole('button').click();
    await page.getByTestId('kb-editor').waitFor();
    expect(await page.getByTestId('kb-body').inputValue()).toContain('Quit the VPN client');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-kb-desktop.png'), fullPage: true });
    const entry = await world.app.frontline.db.prisma.auditEntry.findFirst({ where: { action: 'kb.create', target: 'kb:vpn-reset-xss' } });
    expect(entry?.actor).toBe('boss@example.com');
    await page.close();
  }, 60_000);

  it('reports page draws its charts from the reports API', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await signIn(page, world.app.url, 'boss@example.com');
    // Seed: two more incidents, one resolved with a reply (first contact), so every figure has data.
    const api = (p: string, method: string, body: unknown) => fetch(`${world.app.url}/api/v1/incidents/${p}`, { method, headers: { authorization: `Bearer ${world.app.tokens.agent}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const text of ['Printer on floor 3 prints blank pages', 'Cannot open the shared finance drive']) {
      const { number: n } = await fileIncident(world.app.url, text);
      await api(`${n}/comments`, 'POST', { text: 'Try again now please', internal: false });
      if (text.startsWith('Printer')) await api(n, 'PATCH', { status: 'resolved', resolution: 'Toner replaced' });
    }
    await page.goto(`${world.app.url}/console#/reports`);
    await page.getByTestId('chart-volume').waitFor();
    await eventually(async () => (await page.locator('canvas').count()) >= 6 && page.evaluate(() => Boolean((window as unknown as { Chart?: unknown }).Chart)), 10_000, 'charts');
    expect(await page.getByTestId('kpi-slaCompliance').textContent()).toMatch(/%/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-reports-desktop.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
