import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[frontline tests] ${CHROMIUM} not found (apt-get install chromium): browser tests skipped`);

describe.skipIf(!haveChromium)('web chat in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestApp('pglite');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('reports a problem and sees the incident number; a reload keeps the conversation', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${t.url}/`);
    await page.getByTestId('chat-input').fill('My laptop cannot connect to the office Wi-Fi since this morning');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('choice-button').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('choice-button').filter({ hasText: 'Yes' }).click();
    const filed = page.getByTestId('msg-out').filter({ hasText: /INC-\d{6}/ });
    await filed.waitFor({ timeout: 15_000 });
    const number = /INC-\d{6}/.exec((await filed.textContent()) ?? '')![0];
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-desktop.png'), fullPage: true });
    const incident = await t.frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) } });
    expect(incident?.title).toMatch(/Wi-Fi/);

    // An agent's status change through the API appears in the open page.
    await fetch(`${t.url}/api/v1/incidents/${number}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${t.tokens.agent}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'in_progress' }),
    });
    await page.getByTestId('msg-out').filter({ hasText: 'in progress' }).waitFor({ timeout: 15_000 });

    await page.reload();
    await page.getByTestId('msg-out').filter({ hasText: number }).first().waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('msg-in').count()).toBeGreaterThanOrEqual(1);
    await page.close();
  }, 90_000);

  it('after filing, an anonymous reporter is offered to leave an email, once', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${t.url}/`);
    await page.getByTestId('chat-input').fill('My second monitor stays black after docking the laptop');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('choice-button').filter({ hasText: 'Yes' }).first().click({ timeout: 15_000 });
    const offer = page.getByTestId('contact-offer');
    await offer.waitFor({ timeout: 15_000 });
    expect(await offer.textContent()).toMatch(/INC-\d{6} is filed/);
    await page.getByTestId('contact-email').fill('not an address');
    await page.getByTestId('contact-save').click();
    await offer.getByText(/name@example\.com/).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-contact-offer.png') });
    await page.getByTestId('contact-name').fill('Lena Holm');
    await page.getByTestId('contact-email').fill('lena.holm@example.com');
    await page.getByTestId('contact-save').click();
    await page.getByTestId('contact-done').filter({ hasText: 'lena.holm@example.com' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-contact-saved.png') });
    const contact = await t.frontline.db.prisma.contact.findFirst({ where: { email: 'lena.holm@example.com' } });
    expect(contact).toMatchObject({ displayName: 'Lena Holm', emailVerified: false });
    // Reloading the page does not ask again.
    await page.reload();
    await page.getByTestId('msg-out').filter({ hasText: /INC-\d{6}/ }).first().waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('contact-offer').count()).toBe(0);
    await page.close();
  }, 90_000);

  it('works on a phone-sized screen without horizontal scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await page.goto(`${t.url}/`);
    await page.getByTestId('chat-input').fill('Printer prints blank pages');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('choice-button').first().waitFor({ timeout: 15_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-phone.png') });
    await page.close();
  }, 60_000);

  it('a Swedish browser gets the Swedish page and 24-hour times; an over-long message is explained and kept', async () => {
    const context = await browser.newContext({ locale: 'sv-SE', timezoneId: 'Europe/Stockholm', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${t.url}/`);
    await page.locator('html.is-ready').waitFor();
    expect(await page.title()).toBe('Frontline — IT-hjälp');
    expect(await page.getByTestId('chat-input').getAttribute('placeholder')).toMatch(/Skriv/);
    await page.getByTestId('chat-input').fill('Skrivaren skriver ut tomma sidor');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('choice-button').first().waitFor({ timeout: 15_000 });
    const times = await page.locator('[data-testid="msg-out"] time').allTextContents();
    expect(times.length).toBeGreaterThan(0);
    for (const time of times) expect(time).toMatch(/^\d{2}[:.]\d{2}$/); // 24-hour clock, no AM/PM

    const sentBefore = await page.getByTestId('msg-in').count();
    const long = 'a'.repeat(20_001);
    await page.getByTestId('chat-input').fill(long);
    await page.getByTestId('chat-send').click();
    await page.getByTestId('chat-notice').filter({ hasText: /högst 20/ }).waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('chat-input').inputValue()).toBe(long); // the text is kept
    expect(await page.getByTestId('msg-in').count()).toBe(sentBefore); // and nothing was sent
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-swedish.png') });
    await context.close();
  }, 60_000);

  it('the one-tag widget opens the chat on another page', async () => {
    // The intranet page is another origin (other host name and port) that embeds the widget with one tag.
    const intranet = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><html><body><h1>Intranet</h1><script src="${t.url}/widget.js" data-title="IT help" defer></script></body></html>`);
    });
    await new Promise<void>((r) => intranet.listen(0, '127.0.0.1', r));
    const port = (intranet.address() as AddressInfo).port;
    const page = await browser.newPage();
    await page.goto(`http://localhost:${port}/`);
    await page.getByTestId('widget-launcher').click();
    const frame = page.frameLocator('[data-testid="widget-frame"]');
    await frame.getByTestId('chat-input').fill('Outlook does not sync');
    await frame.getByTestId('chat-send').click();
    await frame.getByTestId('choice-button').first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-widget.png') });
    await page.close();
    intranet.close();
  }, 60_000);
});
