import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmailParseError, parseEmail } from '../../../channels/email/parse.js';
import { emlFiles, hasShared, localFixtures, mimeDirs, missingShared } from './shared-fixtures.js';

const local = (name: string): Buffer => readFileSync(path.join(localFixtures, name));

describe('parseEmail', () => {
  it('reads an Outlook reply: addresses, threading headers, visible text, attachment', async () => {
    const mail = await parseEmail(local('outlook-reply-sv.eml'));
    expect(mail).toMatchObject({
      from: 'anna.strom@example.se',
      fromName: 'Anna Ström',
      to: ['support@frontline.test'],
      cc: ['chef@example.se'],
      subject: 'SV: [INC-000123] Skrivaren fungerar inte',
      messageId: '<reply-1@example.se>',
      inReplyTo: '<out-1@frontline.test>',
      references: ['<root-1@example.se>', '<out-1@frontline.test>'],
      visibleText: 'Hej,\n\nDen står fortfarande still på plan 3.',
      isAutoReply: false,
      isBounce: false,
      isMailingList: false,
    });
    expect(mail.date?.toISOString()).toBe('2025-03-03T08:15:00.000Z');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: 'skrivare.png', contentType: 'image/png', inline: false });
    expect(mail.attachments[0]?.content.subarray(1, 4).toString()).toBe('PNG');
  });

  it.each([
    ['html-only-gmail.eml', 'Sigue sin funcionar desde casa.\nEl error es 809.'],
    ['html-only-apple.eml', 'Toujours bloqué ce matin.'],
  ])('extracts the reply of an HTML-only mail (%s)', async (file, expected) => {
    const mail = await parseEmail(local(file));
    expect(mail.visibleText).toBe(expected);
    expect(mail.text).not.toBe('');
  });

  it('survives unknown charsets, broken base64 and an unterminated multipart', async () => {
    const mail = await parseEmail(local('broken-charset.eml'));
    expect(mail.from).toBe('broken@example.com');
    expect(mail.visibleText).toContain('laptop');
  });

  it('rejects empty and oversized input with EmailParseError', async () => {
    await expect(parseEmail(Buffer.alloc(0))).rejects.toBeInstanceOf(EmailParseError);
    await expect(parseEmail(Buffer.from('x'.repeat(100)), { maxBytes: 10 })).rejects.toBeInstanceOf(EmailParseError);
  });

  it('parses random bytes without throwing anything but EmailParseError', async () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let i = 0; i < 20; i++) {
      const bytes = Buffer.from(Array.from({ length: 2000 }, () => Math.floor(random() * 256)));
      const result = await parseEmail(bytes).catch((e: unknown) => e);
      if (result instanceof Error) expect(result).toBeInstanceOf(EmailParseError);
    }
  });
});

describe.skipIf(!hasShared)('parseEmail on the shared MIME torture fixtures', () => {
  const files = mimeDirs.flatMap(emlFiles);
  if (!hasShared) console.warn(missingShared);
  it('finds the fixtures', () => expect(files.length).toBeGreaterThanOrEqual(15));
  it.each(files.map((f) => [path.basename(path.dirname(path.dirname(path.dirname(f)))) + '/' + path.basename(f), f]))(
    '%s parses or fails cleanly',
    async (_name, file) => {
      const result: unknown = await parseEmail(readFileSync(file), { timeoutMs: 20_000 }).catch((e: unknown) => e);
      if (result instanceof Error) expect(result).toBeInstanceOf(EmailParseError);
      else expect(typeof (result as { visibleText: unknown }).visibleText).toBe('string');
    },
  );
});
