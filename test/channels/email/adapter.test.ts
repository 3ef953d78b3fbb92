import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter, emailFromEnv, EMAIL_SETTING_KEYS } from '../../../channels/email/adapter.js';
import { firstMailText, matchChoice } from '../../../channels/email/intake.js';
import { SenderRateLimiter } from '../../../channels/email/rate-limit.js';
import { parseEmailSettings } from '../../../channels/email/settings.js';
import { ChannelSendError } from '../../../channels/types.js';
import { CHANNEL_SETTING_KEYS } from '../../../src/channel-registry.js';
import { bounceDir, emlFiles, hasShared, missingShared } from './shared-fixtures.js';
import { EmailWorld, mail } from './world.js';

const base = { IMAP_HOST: 'imap.example.com', IMAP_USER: 'support@example.com', IMAP_PASSWORD: 'p', SMTP_HOST: 'smtp.example.com', SUPPORT_ADDRESS: 'support@example.com' };

describe('email settings', () => {
  it('is off without IMAP_HOST, parses defaults and the processed action', () => {
    expect(emailFromEnv({})).toBeUndefined();
    const s = parseEmailSettings({ ...base, IMAP_PROCESSED: 'move:Frontline/Done', SUPPORT_ADDRESS: '"IT Support" <Support@Example.com>', EMAIL_MAX_ATTACHMENT_BYTES: '2mb' });
    expect(s.imap).toMatchObject({ port: 993, secure: true, mailbox: 'INBOX', processed: { kind: 'move', folder: 'Frontline/Done' } });
    expect(s.smtp).toMatchObject({ port: 587, secure: false });
    expect(s.supportMailbox).toBe('support@example.com');
    expect(s.maxAttachmentBytes).toBe(2 * 1024 * 1024);
    expect(s.senderRateLimit).toBe(20);
    expect(CHANNEL_SETTING_KEYS).toEqual(expect.arrayContaining([...EMAIL_SETTING_KEYS]));
  });

  it('names every bad variable', () => {
    expect(() => parseEmailSettings({ IMAP_HOST: 'x' })).toThrow(/IMAP_USER.*IMAP_PASSWORD.*SMTP_HOST.*SUPPORT_ADDRESS/);
    expect(() => parseEmailSettings({ ...base, IMAP_PROCESSED: 'delete' })).toThrow(/IMAP_PROCESSED: expected "seen" or "move:<folder>"/);
    expect(() => parseEmailSettings({ ...base, SUPPORT_ADDRESS: 'IT Support' })).toThrow(/SUPPORT_ADDRESS/);
    expect(() => parseEmailSettings({ ...base, SMTP_PORT: '99999' })).toThrow(/SMTP_PORT/);
  });
});

describe('email channel contract', () => {
  const adapter = new EmailAdapter(parseEmailSettings(base));

  it('has the capabilities of a channel without buttons', () => {
    expect(adapter.name).toBe('email');
    expect(adapter.capabilities).toMatchObject({ buttons: false, threads: true, attachments: true, markup: 'plain', edit: false });
  });

  it('thread keys round-trip and reject other channels', () => {
    const ref = { to: 'a@example.com', subject: 'Hi', subjectKey: 'hi', rootMessageId: '<root.1@example.com>', lastMessageId: '<x@y>', references: [] };
    const key = adapter.encodeThreadKey(ref);
    expect(key).toBe('email:<root.1@example.com>');
    expect(adapter.decodeThreadKey(key)).toEqual({ rootMessageId: ref.rootMessageId });
    for (const bad of ['slack:T1:C1', 'email:', 'email:root@x', 'email:<a b@x>']) expect(() => adapter.decodeThreadKey(bad)).toThrow();
  });

  it('starts a thread of its own for a notice that could not reach the reporter elsewhere', () => {
    const a = adapter.startConversation('ana@example.com', { incidentNumber: 'INC-000042', title: 'Projector shows no signal' });
    const b = adapter.startConversation('ana@example.com', { incidentNumber: 'INC-000042', title: 'Projector shows no signal' });
    expect(a.reference).toMatchObject({ to: 'ana@example.com', subject: 'Projector shows no signal', lastMessageId: '', references: [] });
    expect(a.reference.rootMessageId).toMatch(/^<notice-[0-9a-f-]+@example\.com>$/);
    expect(a.threadKey).toBe(adapter.encodeThreadKey(a.reference));
    expect(b.threadKey).not.toBe(a.threadKey);
  });

  it('maps numbered and worded answers to the options of the last question', () => {
    const yesNo = [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }];
    expect(matchChoice('1', yesNo)).toBe('yes');
    expect(matchChoice(' 2.\n\nThanks, Anna', yesNo)).toBe('no');
    expect(matchChoice('yes!', yesNo)).toBe('yes');
    expect(matchChoice('3', yesNo)).toBeUndefined();
    expect(matchChoice('1 printer is broken', yesNo)).toBeUndefined();
  });

  it('leads a first mail with its subject unless the body already does', () => {
    expect(firstMailText({ subject: 'VPN down', visibleText: 'Since 9am.' })).toBe('VPN down\n\nSince 9am.');
    expect(firstMailText({ subject: 'VPN down', visibleText: 'VPN down since 9am.' })).toBe('VPN down since 9am.');
    expect(firstMailText({ subject: '', visibleText: 'Help' })).toBe('Help');
  });

  it('limits answered mail per sender per window', () => {
    let now = 0;
    const limiter = new SenderRateLimiter(2, 1_000, () => now);
    expect([limiter.allow('a@x'), limiter.allow('A@x'), limiter.allow('a@x'), limiter.allow('b@x')]).toEqual([true, true, false, true]);
    now = 1_000;
    expect(limiter.allow('a@x')).toBe(true);
    expect(limiter.limitedCount).toBe(1);
  });
});

describe('email channel without IMAP (PGlite)', () => {
  let world: EmailWorld;
  beforeAll(async () => {
    world = await EmailWorld.start('pglite', { imap: false, env: { EMAIL_SENDER_RATE_LIMIT: '3' } });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it('sends with our Message-ID as the external id and refuses a malformed reference', async () => {
    const ref = { to: 'erik@example.com', subject: 'Printer', subjectKey: 'printer', rootMessageId: '<r@example.com>', lastMessageId: '<r@example.com>', references: [] };
    const ctx = { idempotencyKey: 'contract-1', conversationId: '00000000-0000-0000-0000-000000000001', attempt: 1 };
    const sent = await world.email.send(ref, { text: 'Hello', author: { kind: 'system' } }, ctx);
    expect(sent.externalId).toMatch(/^<frontline\.[0-9a-f]{32}@frontline\.test>$/);
    expect((await world.email.send(ref, { text: 'Hello', author: { kind: 'system' } }, ctx)).externalId).toBe(sent.externalId);
    const bad = await world.email.send({ channel: 'D1' }, { text: 'x', author: { kind: 'bot' } }, ctx).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ChannelSendError);
    expect(bad).toMatchObject({ retryable: false });
    expect(await world.email.health()).toMatchObject({ ok: true, detail: expect.stringContaining('smtp ok') });
  });

  it.skipIf(!hasShared)(`drops all 629 real bounces and auto-replies: no incident, no conversation, no mail${hasShared ? '' : ` — ${missingShared}`}`, async () => {
    const files = emlFiles(bounceDir);
    expect(files.length).toBe(629);
    const sentBefore = world.sink.received.length;
    const outcomes = new Map<string, number>();
    for (const file of files) {
      const outcome = await world.email.handleMail(readFileSync(file));
      const key = outcome.kind === 'dropped' ? outcome.reason : outcome.kind;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    expect(outcomes.get('received')).toBeUndefined();
    expect(await world.count('SELECT count(*) AS n FROM incident')).toBe(0);
    expect(await world.count(`SELECT count(*) AS n FROM conversation WHERE channel = 'email'`)).toBe(0);
    expect(await world.count(`SELECT count(*) AS n FROM outbox_message WHERE channel = 'email'`)).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(world.sink.received.length).toBe(sentBefore);
  }, 60_000);

  it('answers at most EMAIL_SENDER_RATE_LIMIT mails per sender and hour, and ignores its own mail', async () => {
    const outcomes = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(await world.email.handleMail(Buffer.from(mail({ from: 'loop@example.net', subject: `Ticket ${i} received`, messageId: `<loop-${i}@example.net>`, body: `Your request ${i} was received.` }))));
    }
    expect(outcomes.map((o) => o.kind)).toEqual(['received', 'received', 'received', 'dropped', 'dropped']);
    expect(outcomes[3]).toEqual({ kind: 'dropped', reason: 'rate-limited' });
    const own = await world.email.handleMail(Buffer.from(mail({ from: 'IT Support <support@frontline.test>', subject: 'Re: x', messageId: '<frontline.abc@frontline.test>', body: 'copy of our own mail' })));
    expect(own).toEqual({ kind: 'dropped', reason: 'own-mail' });
    expect(await world.count(`SELECT count(*) AS n FROM message WHERE direction = 'in' AND external_id LIKE '<loop-%'`)).toBe(3);
  });

  it('stores attachments within the limits with the message, and a redelivery stores nothing twice', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const raw = Buffer.from([
      'From: Eva <eva@example.com>', 'To: support@frontline.test', 'Subject: Screen flickers', 'Message-ID: <att-1@example.com>',
      'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '',
      '--b', 'Content-Type: text/plain; charset=utf-8', '', 'My screen flickers, see the photo.',
      '--b', 'Content-Type: image/png; name="screen.png"', 'Content-Disposition: attachment; filename="screen.png"', 'Content-Transfer-Encoding: base64', '', png,
      '--b', 'Content-Type: application/octet-stream; name="fix.exe"', 'Content-Disposition: attachment; filename="fix.exe"', 'Content-Transfer-Encoding: base64', '', 'TVqQAAMAAAAEAAAA',
      '--b--', '',
    ].join('\r\n'));
    const first = await world.email.handleMail(raw);
    const again = await world.email.handleMail(raw);
    expect(first).toMatchObject({ kind: 'received', duplicate: false, thread: 'new' });
    expect(again).toMatchObject({ kind: 'received', duplicate: true });
    const { rows } = await world.app.frontline.db.pool.query<{ attachments: { id: string; filename: string; size: number }[] }>(
      `SELECT attachments FROM message WHERE external_id = '<att-1@example.com>'`,
    );
    expect(rows[0]!.attachments).toEqual([expect.objectContaining({ filename: 'screen.png', contentType: 'image/png', size: 70, id: expect.any(String) })]);
    expect(await world.count(`SELECT count(*) AS n FROM attachment`)).toBe(1);
  });
});
