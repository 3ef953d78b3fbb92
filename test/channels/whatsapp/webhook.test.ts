import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLITE } from '../../../channels/whatsapp/intake.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { examplesDir, example, fromExample, hasShared, MISSING, PHONE, PHONE2, postWebhook, SECRET, statusWebhook, VERIFY, WhatsAppWorld } from './world.js';

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !hasShared)(`WhatsApp webhook (${kind})${hasShared ? '' : ` — ${MISSING}`}`, () => {
    let world: WhatsAppWorld;
    beforeAll(async () => {
      world = await WhatsAppWorld.start(kind);
    }, 120_000);
    afterAll(async () => {
      await world?.close();
    });
    const events = () => world.app.frontline.db.prisma.inboundEvent.count({ where: { channel: 'whatsapp' } });

    it('answers the verify-token handshake and refuses a wrong token', async () => {
      const q = (token: string, mode = 'subscribe') => fetch(`${world.app.url}/api/whatsapp/webhook?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`);
      const ok = await q(VERIFY);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('1158201444');
      expect((await q('wrong-token')).status).toBe(403);
      expect((await q(VERIFY, 'unsubscribe')).status).toBe(403);
      expect((await fetch(`${world.app.url}/api/whatsapp/webhook`)).status).toBe(403);
    });

    it('refuses forged and missing signatures (401) and stores nothing; malformed JSON is a 400 with a reason', async () => {
      const before = await events();
      const body = fromExample('text_message.json', { from: world.newReporter() });
      expect((await postWebhook(world.app.url, body, { secret: null })).status).toBe(401);
      expect((await postWebhook(world.app.url, body, { secret: 'not-the-app-secret' })).status).toBe(401);
      expect((await postWebhook(world.app.url, body, { signature: 'sha256=zz' })).status).toBe(401);
      // Signed, then altered: the signature covers the raw bytes.
      const raw = JSON.stringify(body);
      const { signatureOf } = await import('../../../channels/whatsapp/signature.js');
      expect((await postWebhook(world.app.url, raw.replace('Does it come', 'Does it cost'), { signature: signatureOf(raw, SECRET) })).status).toBe(401);
      expect(await events()).toBe(before);
      const bad = await postWebhook(world.app.url, '{"object": "whatsapp_business_account", ');
      expect(bad.status).toBe(400);
      expect(await bad.text()).toMatch(/not JSON/);
      const shape = await postWebhook(world.app.url, { hello: 'world' });
      expect(shape.status).toBe(400);
      expect(await shape.text()).toMatch(/entry/);
    });

    it('a redelivered webhook has one effect', async () => {
      const from = world.newReporter();
      const body = fromExample('text_message.json', { from, patch: { text: { body: 'My laptop will not start after the update' } } });
      const before = await events();
      for (let i = 0; i < 3; i++) expect((await postWebhook(world.app.url, body)).status).toBe(200);
      expect(await events()).toBe(before + 1);
      await world.expectSent(from, /./);
      await new Promise((r) => setTimeout(r, 300));
      const messages = await world.app.frontline.db.prisma.message.count({ where: { direction: 'in', conversation: { threadKey: `whatsapp:${PHONE}:${from}` } } });
      expect(messages).toBe(1);
    });

    it('replays every one of Meta’s webhook examples: 200 each, no crash, a reply where a person wrote', async () => {
      const files = readdirSync(examplesDir).filter((f) => f.endsWith('.json')).sort();
      expect(files.length).toBeGreaterThanOrEqual(16);
      world.graph.addMedia('1003383421387256', Buffer.from('fake jpeg bytes'), 'image/jpeg'); // image_message.json's media id
      for (const f of files) {
        const res = await postWebhook(world.app.url, example(f));
        expect(res.status, f).toBe(200);
      }
      // Several examples share one wamid (so only the first counts); replayed again with ids of their own, each
      // message type is mapped.
      for (const f of files) {
        const body = example(f) as { entry: { changes: { value: { messages?: unknown[] } }[] }[] };
        if (!body.entry[0]?.changes[0]?.value.messages?.length) continue;
        const res = await postWebhook(world.app.url, fromExample(f, { from: '16505551234' }));
        expect(res.status, f).toBe(200);
      }
      // Meta's examples all come from one person (16505551234) to one number.
      const conv = await world.app.frontline.db.prisma.conversation.findFirst({ where: { threadKey: `whatsapp:${PHONE}:16505551234` }, include: { contact: true } });
      expect(conv).toBeTruthy();
      const inbound = await world.app.frontline.db.prisma.message.findMany({ where: { conversationId: conv!.id, direction: 'in' }, orderBy: { seq: 'asc' } });
      const texts = inbound.map((m) => m.text);
      expect(texts.some((t) => t.startsWith('📍'))).toBe(true); // location as text
      expect(texts.some((t) => t.includes('👤'))).toBe(true); // shared contact as text
      expect(inbound.some((m) => Array.isArray(m.attachments) && (m.attachments as { filename: string }[])[0]?.filename.endsWith('.jpg'))).toBe(true);
      await eventually(async () => world.graph.sentTo('16505551234').some((m) => (m.body.text as { body?: string } | undefined)?.body === POLITE.unsupported), 10_000, 'a polite answer to the unsupported message');
    });

    it('several business numbers: one conversation per number and person', async () => {
      const from = world.newReporter();
      await world.text(from, 'Printer on floor 2 is jammed', { phone: PHONE });
      await world.text(from, 'Printer on floor 5 is jammed too', { phone: PHONE2 });
      const keys = await eventually(async () => {
        const rows = await world.app.frontline.db.prisma.conversation.findMany({ where: { threadKey: { endsWith: `:${from}` } } });
        return rows.length === 2 ? rows.map((r) => r.threadKey).sort() : undefined;
      });
      expect(keys).toEqual([`whatsapp:${PHONE}:${from}`, `whatsapp:${PHONE2}:${from}`].sort());
      await eventually(async () => world.graph.sent.some((m) => m.phoneNumberId === PHONE2 && m.body.to === from));
    });

    it('a reaction changes nothing', async () => {
      const from = world.newReporter();
      const before = world.graph.sentTo(from).length;
      expect((await postWebhook(world.app.url, fromExample('reaction_message.json', { from }))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(world.graph.sentTo(from).length).toBe(before);
      expect(await world.app.frontline.db.prisma.conversation.count({ where: { threadKey: `whatsapp:${PHONE}:${from}` } })).toBe(0);
    });

    it('`delivered`/`read` statuses are stored on the message; `failed` turns it into a dead letter with Meta’s reason', async () => {
      const from = world.newReporter();
      await world.text(from, 'Outlook crashes when I open the calendar');
      const sent = await world.expectSent(from, /./);
      await eventually(async () => (await world.app.frontline.db.prisma.outboxMessage.findFirst({ where: { externalId: sent.wamid, status: 'sent' } })) ?? undefined);
      expect((await postWebhook(world.app.url, statusWebhook(sent.wamid, from, 'delivered'))).status).toBe(200);
      const stored = () => world.app.frontline.db.prisma.message.findFirst({ where: { externalId: sent.wamid, direction: 'out' }, select: { deliveryStatus: true, deliveryStatusAt: true } });
      expect((await stored())?.deliveryStatus).toBe('delivered');
      expect((await postWebhook(world.app.url, statusWebhook(sent.wamid, from, 'read'))).status).toBe(200);
      expect((await stored())?.deliveryStatus).toBe('read');
      // Meta does not promise order: a late `delivered` does not move a read message back.
      expect((await postWebhook(world.app.url, statusWebhook(sent.wamid, from, 'delivered'))).status).toBe(200);
      expect((await stored())).toMatchObject({ deliveryStatus: 'read', deliveryStatusAt: expect.any(Date) });
      const failed = statusWebhook(sent.wamid, from, 'failed', { code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', details: 'Message Undeliverable.' });
      expect((await postWebhook(world.app.url, failed)).status).toBe(200);
      const res = await fetch(`${world.app.url}/api/v1/admin/outbox?status=dead`, { headers: { authorization: `Bearer ${world.app.tokens.admin}` } });
      const { items } = (await res.json()) as { items: { lastError: string | null; channel: string }[] };
      expect(items.find((i) => i.channel === 'whatsapp' && i.lastError?.includes('131026'))?.lastError).toMatch(/131026: Message undeliverable \(Message Undeliverable\.\)/);
      expect((await stored())?.deliveryStatus).toBe('failed');
    });

    it('an expired token (190) makes /readyz unhealthy, naming the setting', async () => {
      expect((await fetch(`${world.app.url}/readyz`)).status).toBe(200);
      const from = world.newReporter();
      world.graph.tokenExpired = true;
      await world.text(from, 'VPN does not connect');
      const ready = await eventually(async () => {
        const r = await fetch(`${world.app.url}/readyz`);
        return r.status === 503 ? ((await r.json()) as { checks: Record<string, { ok: boolean; detail?: string }> }) : undefined;
      });
      expect(ready.checks['channel:whatsapp']).toMatchObject({ ok: false, detail: expect.stringContaining('WHATSAPP_ACCESS_TOKEN') });
      const dead = await eventually(async () => world.app.frontline.db.prisma.outboxMessage.findFirst({ where: { channel: 'whatsapp', status: 'dead', lastError: { contains: '190' } } }));
      expect(dead.lastError).toMatch(/Session has expired/);
      // Once the token works again and a send succeeds, the channel is healthy.
      world.graph.tokenExpired = false;
      await world.text(world.newReporter(), 'Keyboard is broken');
      await eventually(async () => (await fetch(`${world.app.url}/readyz`)).status === 200);
    });
  });
}
