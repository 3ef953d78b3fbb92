import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../../channels/email/parse.js';
import { fixtureFiles } from './reply-accuracy.js';
import { bounceDir, emlFiles, hasShared, localFixtures, missingShared, notBounceDir, replySets } from './shared-fixtures.js';

if (!hasShared) console.warn(missingShared);

function humanMail(body: string, headers: string[] = []): Buffer {
  return Buffer.from(
    [
      'From: Reporter <reporter@example.com>',
      'To: support@frontline.test',
      'Subject: Re: My laptop',
      'Message-ID: <human-1@example.com>',
      'Date: Mon, 3 Mar 2025 09:15:00 +0100',
      'Content-Type: text/plain; charset=utf-8',
      ...headers,
      '',
      body,
    ].join('\r\n'),
  );
}

describe.skipIf(!hasShared)('bounce and auto-reply detection on real mail', () => {
  it('flags every one of the sisimai bounces/auto-replies (zero false negatives)', async () => {
    const files = emlFiles(bounceDir);
    expect(files.length).toBe(629);
    const missed: string[] = [];
    let withRecipients = 0;
    let bounces = 0;
    for (const file of files) {
      const mail = await parseEmail(readFileSync(file));
      if (!mail.isAutoReply && !mail.isBounce) missed.push(path.basename(file));
      if (mail.isBounce) {
        bounces++;
        if ((mail.bounce?.recipients.length ?? 0) > 0) withRecipients++;
      }
    }
    console.info(`bounces ${bounces}/629, failed recipients found in ${withRecipients}/${bounces}`);
    expect(missed).toEqual([]);
    // Measured 512/605; the floor catches a regression of the recipient extraction.
    expect(withRecipients / bounces).toBeGreaterThan(0.8);
  }, 60_000);

  // maildir/not also holds rb-issue-368-bug.eml, a real postmaster bounce kept there as a parser regression case;
  // we (correctly) flag it, so only the two is-not-bounce-* mails are negatives.
  it('does not flag the sisimai non-bounces', async () => {
    const negatives = emlFiles(notBounceDir).filter((f) => path.basename(f).startsWith('is-not-bounce'));
    expect(negatives).toHaveLength(2);
    for (const file of negatives) {
      const mail = await parseEmail(readFileSync(file));
      expect(mail.isBounce, path.basename(file)).toBe(false);
    }
  });

  it('flags none of the human replies in the replies-* fixtures (false positives)', async () => {
    const flagged: string[] = [];
    const files = Object.values(replySets).flatMap(fixtureFiles);
    for (const file of files) {
      const mail = await parseEmail(humanMail(readFileSync(file, 'utf8')));
      if (mail.isAutoReply || mail.isBounce) flagged.push(`${path.basename(file)}: ${mail.autoReplyReason ?? 'bounce'}`);
    }
    expect(files.length).toBeGreaterThan(150);
    expect(flagged).toEqual([]);
  });
});

describe('auto-reply headers and phrases', () => {
  it.each([
    ['Auto-Submitted: auto-replied', 'auto-submitted'],
    ['X-Autoreply: yes', 'x-autoreply'],
    ['X-Autorespond: vacation', 'x-autorespond'],
    ['X-Auto-Response-Suppress: All', 'auto-response-suppress'],
    ['Precedence: bulk', 'precedence'],
    ['Precedence: auto_reply', 'precedence'],
    ['List-Id: <it.lists.example.com>', 'mailing-list'],
    ['List-Unsubscribe: <mailto:leave@example.com>', 'mailing-list'],
  ])('%s', async (header, reason) => {
    const mail = await parseEmail(humanMail('Thanks', [header]));
    expect(mail.isAutoReply).toBe(true);
    expect(mail.autoReplyReason).toBe(reason);
  });

  it('does not flag Auto-Submitted: no', async () => {
    expect((await parseEmail(humanMail('Help', ['Auto-Submitted: no']))).isAutoReply).toBe(false);
  });

  it.each([
    ['en', 'Out of Office: My laptop', 'I am out of the office until 10 March with limited access to email.'],
    ['sv', 'Automatiskt svar: Min dator', 'Jag är på semester till och med 10 mars. Vid brådskande ärenden kontakta it@x.se.'],
    ['es', 'Respuesta automática: Mi portátil', 'Estoy fuera de la oficina hasta el 10 de marzo.'],
    ['pt', 'Resposta automática: Meu portátil', 'Estou de férias até 10 de março.'],
    ['de', 'Automatische Antwort: Mein Laptop', 'Ich bin bis zum 10.03. nicht im Büro.'],
    ['fr', 'Réponse automatique : Mon portable', 'Je suis absent jusqu\u2019au 10 mars.'],
  ])('out-of-office in %s (subject, and body alone)', async (_lang, subject, body) => {
    const bySubject = await parseEmail(Buffer.from(`From: a@x.com\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx`));
    expect(bySubject.isAutoReply).toBe(true);
    const byBody = await parseEmail(humanMail(body));
    expect(byBody.autoReplyReason).toBe('out-of-office-body');
  });

  it('does not treat a person mentioning their absence as an auto-reply', async () => {
    const mail = await parseEmail(humanMail('I will be out of the office tomorrow, so please fix my VPN today.'));
    expect(mail.isAutoReply).toBe(false);
  });

  it('reads the German out-of-office fixture', async () => {
    const mail = await parseEmail(readFileSync(path.join(localFixtures, 'out-of-office-de.eml')));
    expect(mail.autoReplyReason).toBe('out-of-office-subject');
  });
});

describe('bounce details', () => {
  it('extracts failed recipient, status and the original Message-ID from a DSN', async () => {
    const raw = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
      'To: support@frontline.test',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn-1@mx.example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'I could not deliver your message.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.com',
      '',
      'Final-Recipient: rfc822; gone@example.org',
      'Action: failed',
      'Status: 5.1.1',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      'From: support@frontline.test',
      'Message-ID: <frontline.abc@frontline.test>',
      '--B--',
      '',
    ].join('\r\n');
    const mail = await parseEmail(Buffer.from(raw));
    expect(mail.isBounce).toBe(true);
    expect(mail.bounce).toEqual({
      recipients: ['gone@example.org'],
      status: '5.1.1',
      originalMessageId: '<frontline.abc@frontline.test>',
    });
  });
});
