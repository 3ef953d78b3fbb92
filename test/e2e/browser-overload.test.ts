import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { WebchatClient } from '../helpers/webchat-client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
const haveChromium = existsSync(CHROMIUM);

/**
 * The page under admission control: with a budget of one write in flight and no waiting room, a held upload
 * takes the only slot, so the reporter's message is refused (503 + Retry-After). The page keeps the text, says
 * why it waits, and sends it again by itself once the server has room; the message is stored exactly once.
 */
describe.skipIf(!haveChromium)('web chat page when the server is over its budget', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestApp('pglite', { env: { WEBCHAT_MAX_IN_FLIGHT: '1', WEBCHAT_MAX_QUEUED: '0' } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** An upload whose body never finishes: it holds the one admission slot until destroyed. */
  async function holdSlot(): Promise<() => void> {
    const other = await new WebchatClient(t.url, false).open();
    const held = request(`${t.url}/webchat/v1/conversations/${other.conversationId}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.token}`, 'content-type': 'text/plain', 'content-length': '100000', 'x-filename': 'slow.txt' },
    });
    held.on('error', () => {});
    held.write('a'.repeat(10));
    // Held once a write is refused.
    for (let i = 0; i < 100; i++) {
      const res = await other.send({ text: 'probe' });
      await res.arrayBuffer();
      if (res.status === 503) return () => held.destroy();
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the upload did not take the admission slot');
  }

  it('keeps the message, tells the reporter, and sends it once the server has room', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${t.url}/`);
    await page.locator('html.is-ready').waitFor();
    // The page opens its conversation with its first message: send one so only the next message meets the budget.
    await page.getByTestId('chat-input').fill('The shared drive S: is gone since this morning');
    await page.getByTestId('chat-send').click();
    await page.getByTestId('choice-button').first().waitFor({ timeout: 20_000 });

    const release = await holdSlot();
    const text = 'It is the same for everyone on floor 4';
    await page.getByTestId('chat-input').fill(text);
    await page.getByTestId('chat-send').click();
    await page.getByTestId('chat-notice').filter({ hasText: /Many people are reporting/ }).waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('msg-in').filter({ hasText: text }).count()).resolves.toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-busy.png') });

    const repliesBefore = await page.getByTestId('msg-out').count();
    const stored = async () => (await t.frontline.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM message WHERE direction = 'in' AND text = $1`, [text])).rows[0]!.n;
    expect(await stored()).toBe(0); // refused, not stored: the page holds it
    release();
    await page.getByTestId('msg-out').nth(repliesBefore).waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('chat-notice').filter({ hasText: /Many people are reporting/ }).count()).resolves.toBe(0);
    expect(await stored()).toBe(1);
    expect(await page.getByTestId('msg-in').filter({ hasText: text }).count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-busy-sent.png') });
    await page.close();
  }, 120_000);
});
