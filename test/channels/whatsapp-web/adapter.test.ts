import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsAppWebAdapter, whatsappWebFromEnv, WHATSAPP_WEB_SETTING_KEYS } from '../../../channels/whatsapp-web/adapter.js';
import { parseVCard, planWebMessage } from '../../../channels/whatsapp-web/intake.js';
import { DatabaseSessionStore } from '../../../channels/whatsapp-web/session-store.js';
import { parseWhatsAppWebSettings } from '../../../channels/whatsapp-web/settings.js';
import { channelsFromEnv } from '../../../src/channel-registry.js';
import { loadConfig } from '../../../src/config/load.js';
import { createBlobStore } from '../../../src/intake/blobs.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { channelContract } from '../contract.js';
import { ClientDouble } from './client-double.js';
import { WebWorld } from './world.js';

const on = { WHATSAPP_WEB_ENABLED: 'true' };

describe('WhatsApp Web settings', () => {
  it('is off unless enabled, registered when on, and the core accepts its variables', async () => {
    expect(whatsappWebFromEnv({})).toBeUndefined();
    expect((await channelsFromEnv(on)).map((c) => c.name)).toEqual(['whatsapp-web']);
    const s = parseWhatsAppWebSettings({ ...on, WHATSAPP_WEB_GROUPS: '120363012345678901@g.us', WHATSAPP_WEB_ALERT_TO: 'email:ops@example.com' });
    expect(s).toMatchObject({ enabled: true, chromiumPath: '/usr/bin/chromium', session: 'frontline', groups: ['120363012345678901@g.us'], alertTo: ['email:ops@example.com'] });
    expect(WHATSAPP_WEB_SETTING_KEYS).toContain('WHATSAPP_WEB_CHROMIUM');
    expect(() => loadConfig({ NODE_ENV: 'test', ...on, WHATSAPP_WEB_CHROMIUM: '/opt/chromium' })).not.toThrow();
  });

  it('names every bad variable', () => {
    expect(() => parseWhatsAppWebSettings({ ...on, WHATSAPP_WEB_GROUPS: 'my group', WHATSAPP_WEB_BACKUP_MS: '1000', WHATSAPP_WEB_SESSION: 'a b' }))
      .toThrow(/WHATSAPP_WEB_SESSION.*WHATSAPP_WEB_GROUPS.*WHATSAPP_WEB_BACKUP_MS/);
    expect(() => parseWhatsAppWebSettings({ WHATSAPP_WEB_ENABLED: 'maybe' })).toThrow(/WHATSAPP_WEB_ENABLED/);
  });
});

channelContract('whatsapp-web', () => new WhatsAppWebAdapter(parseWhatsAppWebSettings(on)), {
  references: [{ chatId: '46701234567@c.us' }, { chatId: '120363012345678901@g.us' }, { chatId: '123456789012345@lid' }],
  foreignKeys: ['whatsapp:106540352242922:46701234567', 'whatsapp-web:', 'whatsapp-web:no spaces@c.us'],
});

describe('mapping the library’s own Message objects', () => {
  const client = new ClientDouble();
  const groups = { groups: [] as string[] };

  it('text: event id, thread, person and display name from the message model', () => {
    const m = client.message({ from: '46701234567@c.us', body: 'The printer is on fire', notifyName: 'Anna' });
    const plan = planWebMessage(m, groups);
    expect(plan).toMatchObject({
      kind: 'receive',
      message: { channel: 'whatsapp-web', eventId: m.id._serialized, threadKey: 'whatsapp-web:46701234567@c.us', reference: { chatId: '46701234567@c.us' }, user: { externalId: '46701234567@c.us', displayName: 'Anna' }, text: 'The printer is on fire' },
    });
  });

  it('groups are ignored unless configured; then the sender is the participant', () => {
    const m = client.message({ from: '120363012345678901@g.us', author: '46709999999@c.us', body: 'VPN down for all of us' });
    expect(planWebMessage(m, groups)).toEqual({ kind: 'ignore', why: 'group not in WHATSAPP_WEB_GROUPS' });
    expect(planWebMessage(m, { groups: ['120363012345678901@g.us'] })).toMatchObject({ kind: 'receive', message: { threadKey: 'whatsapp-web:120363012345678901@g.us', user: { externalId: '46709999999@c.us' } } });
    expect(planWebMessage(m, { groups: ['all'] }).kind).toBe('receive');
  });

  it('own messages, status updates and revoked messages change nothing', () => {
    expect(planWebMessage(new ClientDouble().message({ from: '46701234567@c.us', body: 'x', id: { fromMe: true, remote: 'a', id: 'X', _serialized: 'true_a_X' } }), groups).kind).toBe('ignore');
    expect(planWebMessage(client.message({ from: 'status@broadcast', body: 'my holiday' }), groups).kind).toBe('ignore');
    expect(planWebMessage(client.message({ from: '46701234567@c.us', type: 'revoked' }), groups).kind).toBe('ignore');
  });

  it('location and contact cards read like the Cloud API’s (one shared formatter)', () => {
    const loc = client.message({ from: '46701234567@c.us', type: 'location', lat: 59.33, lng: 18.06, loc: 'Head office\nKungsgatan 1' });
    expect(planWebMessage(loc, groups)).toMatchObject({ message: { text: '📍 Head office, Kungsgatan 1 (59.33, 18.06)' } });
    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:Bo Ek\nitem1.TEL;waid=46705555555:+46 70 555 55 55\nEMAIL;type=INTERNET:bo@example.com\nEND:VCARD';
    expect(parseVCard(vcard)).toEqual({ name: 'Bo Ek', phones: ['+46 70 555 55 55'], emails: ['bo@example.com'] });
    expect(planWebMessage(client.message({ from: '46701234567@c.us', type: 'vcard', body: vcard }), groups)).toMatchObject({ message: { text: '👤 Bo Ek: +46 70 555 55 55, bo@example.com' } });
  });

  it('a list answer is a choice; stickers without media and unknown kinds get a polite answer', () => {
    const list = client.message({ from: '46701234567@c.us', type: 'list_response', body: 'Yes', listResponse: { singleSelectReply: { selectedRowId: 'yes' } } });
    expect(planWebMessage(list, groups)).toMatchObject({ kind: 'receive', message: { choice: 'yes' } });
    expect(planWebMessage(client.message({ from: '46701234567@c.us', type: 'poll_creation', pollName: '?' }), groups)).toMatchObject({ kind: 'polite' });
    expect(planWebMessage(client.message({ from: '46701234567@c.us', type: 'image', directPath: '/v/t62/abc', caption: 'the error' }), groups)).toMatchObject({ kind: 'receive', media: true, message: { text: 'the error' } });
  });
});

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip)(`WhatsApp Web through the real pipeline (${kind})`, () => {
    let world: WebWorld;
    beforeAll(async () => {
      world = await WebWorld.start(kind);
      await eventually(async () => world.clients.length > 0, 10_000, 'the leader builds a client');
      world.client.emit('ready');
      await eventually(async () => (await world.readyz()).status === 200, 10_000, 'ready');
    });
    afterAll(async () => {
      await world?.close();
    });
    const api = (p: string, init: RequestInit = {}, token = world.app.tokens.admin) =>
      fetch(`${world.app.url}/api/v1${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    const expectText = (chatId: string, pattern: RegExp) => eventually(async () => world.client.texts(chatId).find((t) => pattern.test(t)), 15_000, `a message matching ${pattern}`);

    it('a report through numbered options: "2" selects the second, "1" the first; an agent reply reaches the chat', async () => {
      const chat = '46701111111@c.us';
      world.client.incoming({ from: chat, body: 'The printer on floor 3 jams on every page', notifyName: 'Anna' });
      const confirm = await expectText(chat, /Shall I go ahead/);
      expect(confirm).toMatch(/\n\n1\. Yes\n2\. No$/);
      const before = world.client.texts(chat).length;
      world.client.incoming({ from: chat, body: '2' });
      await eventually(async () => world.client.texts(chat).length > before, 15_000, 'the answer to "2"');
      expect(world.client.texts(chat)[before]).toMatch(/describe the problem again/); // "2" is "No"
      world.client.incoming({ from: chat, body: 'The printer on floor 3 jams on every page since Monday' });
      await eventually(async () => world.client.texts(chat).filter((t) => /Shall I go ahead/.test(t)).length === 2, 15_000, 'the second confirmation');
      world.client.incoming({ from: chat, body: '1' });
      const filed = await expectText(chat, /INC-\d{6}/);
      const number = /INC-\d{6}/.exec(filed)![0];
      const incident = await world.app.frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) }, include: { reporter: true } });
      expect(incident?.description).toMatch(/since Monday/);
      expect(incident?.reporter.displayName).toBe('Anna');
      expect((await api(`/incidents/${number}/comments`, { method: 'POST', body: JSON.stringify({ text: 'A technician is on the way.', author: 'Maria' }) })).status).toBe(201);
      await expectText(chat, /^\*Maria\* on INC-\d{6}: A technician is on the way\.$/);
    });

    it('the same message twice (a reconnect replays it) has one effect; groups stay silent', async () => {
      const chat = '46702222222@c.us';
      const m = world.client.message({ from: chat, body: 'Outlook crashes when I open the calendar' });
      world.client.emit('message', m);
      world.client.emit('message', m);
      await expectText(chat, /Shall I go ahead/);
      world.client.incoming({ from: '120363012345678901@g.us', author: '46703333333@c.us', body: 'Anyone else has no Wi-Fi?' });
      await new Promise((r) => setTimeout(r, 700));
      expect(world.client.texts(chat).filter((t) => /Shall I go ahead/.test(t))).toHaveLength(1);
      expect(world.client.texts('120363012345678901@g.us')).toEqual([]);
      const inbound = await world.app.frontline.db.prisma.message.count({ where: { externalId: m.id._serialized } });
      expect(inbound).toBe(1);
    });

    it('a photo is downloaded through the library and stored; an unreadable kind is refused politely, once', async () => {
      const chat = '46704444444@c.us';
      const photo = world.client.message({ from: chat, type: 'image', directPath: '/v/t62/abc', caption: 'This error appears at login', mimetype: 'image/png' });
      world.client.media.set(photo.id._serialized, { data: Buffer.from('\x89PNG fake bytes').toString('base64'), mimetype: 'image/png', filename: 'error.png' });
      world.client.emit('message', photo);
      await expectText(chat, /Shall I go ahead/);
      const stored = await world.app.frontline.db.prisma.message.findFirst({ where: { externalId: photo.id._serialized } });
      expect(stored?.attachments).toMatchObject([{ filename: 'error.png', contentType: 'image/png' }]);
      const poll = world.client.message({ from: chat, type: 'poll_creation', pollName: 'Lunch?' });
      world.client.emit('message', poll);
      world.client.emit('message', poll);
      await expectText(chat, /cannot read this kind of message/);
      await new Promise((r) => setTimeout(r, 500));
      expect(world.client.texts(chat).filter((t) => /cannot read this kind/.test(t))).toHaveLength(1);
    });

    it('the QR code: admins only, as JSON with a PNG data URL, as PNG or SVG; gone once ready', async () => {
      expect((await fetch(`${world.app.url}/api/v1/admin/whatsapp-web/qr`)).status).toBe(401);
      expect((await api('/admin/whatsapp-web/qr', {}, world.app.tokens.agent)).status).toBe(403);
      expect(await (await api('/admin/whatsapp-web/qr')).json()).toMatchObject({ status: 'ready', qr: null });
      world.client.emit('disconnected', 'LOGOUT');
      await eventually(async () => world.clients.length >= 2, 10_000, 'a rebuilt client');
      world.client.emit('qr', '2@abcdefghijklmnopqrstuvwxyz0123456789,key1,key2,key3');
      const body = await eventually(async () => {
        const b = (await (await api('/admin/whatsapp-web/qr')).json()) as { qr: string | null; status: string; dataUrl?: string };
        return b.qr ? b : undefined;
      }, 10_000, 'the QR');
      expect(body).toMatchObject({ status: 'waiting_scan', qr: '2@abcdefghijklmnopqrstuvwxyz0123456789,key1,key2,key3' });
      expect(body.dataUrl).toMatch(/^data:image\/png;base64,/);
      const png = await api('/admin/whatsapp-web/qr?format=png');
      expect(png.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
      expect(await (await api('/admin/whatsapp-web/qr?format=svg')).text()).toMatch(/^<svg/);
      expect((await api('/admin/whatsapp-web/qr?format=gif')).status).toBe(400);
      expect((await world.readyz()).body.checks['channel:whatsapp-web']).toMatchObject({ ok: false, detail: expect.stringMatching(/QR scan/) });
      world.client.emit('authenticated');
      world.client.emit('ready');
      await eventually(async () => ((await (await api('/admin/whatsapp-web/qr')).json()) as { qr: unknown }).qr === null, 10_000, 'the QR cleared');
      expect((await world.readyz()).status).toBe(200);
    });

    it('RemoteAuth’s store keeps the session archive in the database', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'wweb-store-'));
      try {
        const store = new DatabaseSessionStore(createBlobStore(world.app.frontline.db, 'whatsapp-web'), dir);
        expect(await store.sessionExists({ session: 'RemoteAuth-test' })).toBe(false);
        const zip = Buffer.from('PK\x03\x04 a zipped profile');
        await writeFile(path.join(dir, 'RemoteAuth-test.zip'), zip);
        await store.save({ session: 'RemoteAuth-test' });
        expect(await store.sessionExists({ session: 'RemoteAuth-test' })).toBe(true);
        await store.extract({ session: 'RemoteAuth-test', path: path.join(dir, 'restored.zip') });
        expect(await readFile(path.join(dir, 'restored.zip'))).toEqual(zip);
        await store.delete({ session: 'RemoteAuth-test' });
        expect(await store.sessionExists({ session: 'RemoteAuth-test' })).toBe(false);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
