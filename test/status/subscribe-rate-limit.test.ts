import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { MailChannel } from '../broadcast/fakes.js';

describe('subscribe form rate limits', () => {
  let t: TestApp;
  const email = new MailChannel('email');
  // TRUST_PROXY lets the test speak for several client addresses through X-Forwarded-For, as a reverse proxy would.
  beforeAll(async () => {
    t = await startTestApp('pglite', {
      channels: [email],
      env: { TRUST_PROXY: 'loopback', STATUS_SUBSCRIBE_RATE_LIMIT_PER_MINUTE: '3', STATUS_SUBSCRIBE_RATE_LIMIT_PER_ADDRESS_PER_HOUR: '2' },
    });
  }, 180_000);
  afterAll(async () => t?.close());

  const subscribe = (client: string, address: string, headers: Record<string, string> = {}, lang = 'en') =>
    fetch(`${t.url}/status/subscribe`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': client, ...headers },
      body: new URLSearchParams({ email: address, service: 'vpn', lang }).toString(),
    });
  const stored = (address: string) => t.frontline.db.prisma.subscription.count({ where: { address } });

  it('caps posts naming one address per hour, whichever client sends them (JSON for API clients)', async () => {
    expect((await subscribe('10.0.0.1', 'victim@example.com')).status).toBe(303);
    expect((await subscribe('10.0.0.2', ' Victim@Example.com')).status).toBe(303);
    const refused = await subscribe('10.0.0.3', 'victim@example.com', { accept: 'application/json' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toEqual({ error: { code: 'RATE_LIMITED', message: 'Too many subscription requests. Please wait a while and try again.' } });
    // Another address from that same client still goes through: the client itself is under its own limit.
    expect((await subscribe('10.0.0.3', 'someone.else@example.com')).status).toBe(303);
  });

  it('caps posts per client address and minute; a browser gets a readable page in its language', async () => {
    for (const n of [1, 2, 3]) expect((await subscribe('10.0.0.4', `spray${n}@example.com`)).status).toBe(303);
    const refused = await subscribe('10.0.0.4', 'spray4@example.com', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, 'sv');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/text\/html/);
    const html = await refused.text();
    expect(html).toContain('<html lang="sv">');
    expect(html).toContain('För många prenumerationsförfrågningar. Vänta en stund och försök igen.');
    expect(await stored('spray4@example.com')).toBe(0);
    expect(await stored('spray3@example.com')).toBe(1);
    // The limit is per client: another address is unaffected.
    expect((await subscribe('10.0.0.5', 'spray4@example.com')).status).toBe(303);
    expect(await stored('spray4@example.com')).toBe(1);
  });
});
