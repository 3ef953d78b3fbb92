import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { ChatChannel } from './fakes.js';

describe.each(DB_KINDS)('subscribe in a chat ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  const chat = new ChatChannel('chat');
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind, { channels: [chat], env: { SLA_TIMERS_ENABLED: 'false' } });
  }, 120_000);
  afterAll(async () => t?.close());

  it.skipIf(skip)('"subscribe vpn" makes the chat a subscriber that gets the next update; "unsubscribe" stops it', async () => {
    await chat.host.receive(chat.inbound('s1', 'e1', 'subscribe VPN'));
    await eventually(async () => chat.deliveries.some((d) => d.thread === 's1' && /You will get updates about VPN here/.test(d.text)), 30_000, 'the answer');
    await chat.host.receive(chat.inbound('s2', 'e2', 'subscribe the coffee machine'));
    await eventually(async () => chat.deliveries.some((d) => d.thread === 's2' && /I don't know that service/.test(d.text)), 30_000, 'the refusal');
    const sub = await t.frontline.db.prisma.subscription.findFirstOrThrow({ where: { channel: 'chat' } });
    expect(sub).toMatchObject({ serviceId: 'vpn', status: 'active', address: 'chat:s1' });
    // No report was started: the command is not a problem description.
    expect(await t.frontline.db.prisma.incident.count()).toBe(0);

    const mi = await t.frontline.db.prisma.majorIncident.create({ data: { serviceId: 'vpn', title: 'VPN outage', status: 'declared', declaredAt: new Date() } });
    const post = () => fetch(`${t.url}/api/v1/major-incidents/MI-${mi.number}/updates`, { method: 'POST', headers: { authorization: `Bearer ${t.tokens.agent}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'investigating', publicText: 'We are looking into the VPN.' }) });
    expect((await post()).status).toBe(201);
    await eventually(async () => chat.deliveries.some((d) => d.thread === 's1' && /We are looking into the VPN/.test(d.text)), 30_000, 'the update');

    await chat.host.receive(chat.inbound('s1', 'e3', 'unsubscribe'));
    await eventually(async () => chat.deliveries.some((d) => d.thread === 's1' && /will not get these updates/.test(d.text)), 30_000, 'the goodbye');
    expect((await post()).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(chat.deliveries.filter((d) => d.thread === 's1' && /We are looking into the VPN/.test(d.text))).toHaveLength(1);
  }, 120_000);
});
