import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelSendError } from '../../../channels/types.js';
import { SmtpSender } from '../../../channels/email/smtp-sender.js';
import { parseEmail } from '../../../channels/email/parse.js';
import { SmtpSink } from './smtp-sink.js';

describe('SmtpSender against a real SMTP server', () => {
  const sink = new SmtpSink();
  let sender: SmtpSender;

  beforeAll(async () => {
    await sink.start();
    sender = new SmtpSender({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      from: '"IT Support" <support@frontline.test>',
      transport: { ignoreTLS: true },
    });
  });
  afterAll(async () => {
    sender.close();
    await sink.stop();
  });

  it('sends a threaded reply with our Message-ID, token, Reply-To and Auto-Submitted', async () => {
    const result = await sender.send({
      to: ['anna@example.se'],
      subject: 'SV: Skrivaren fungerar inte',
      text: 'Which floor is the printer on?',
      choices: [
        { id: 'f1', label: 'Floor 1' },
        { id: 'f2', label: 'Floor 2' },
      ],
      inReplyTo: '<reply-1@example.se>',
      references: ['<root-1@example.se>'],
      incidentNumber: 123,
      automatic: true,
      idempotencyKey: 'outbox-42',
    });
    const mail = sink.received.at(-1);
    expect(mail).toBeDefined();
    const parsed = await parseEmail(mail!.raw);
    expect(parsed.messageId).toBe(result.messageId);
    expect(result.messageId).toMatch(/^<frontline\.[0-9a-f]{32}@frontline\.test>$/);
    expect(parsed.subject).toBe('Re: Skrivaren fungerar inte [INC-000123]');
    expect(parsed.inReplyTo).toBe('<reply-1@example.se>');
    expect(parsed.references).toEqual(['<root-1@example.se>', '<reply-1@example.se>']);
    expect(mail!.parsed.replyTo?.value[0]?.address).toBe('support@frontline.test');
    expect(mail!.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.text).toMatch(/1\. Floor 1\n2\. Floor 2/);
    expect(mail!.parsed.html).toContain('<li>Floor 2</li>');
    // Our own automatic mail is recognised as such when it comes back (loop protection).
    expect(parsed.isAutoReply).toBe(true);
  });

  it('keeps the Message-ID stable across retries of one outbox row', async () => {
    const a = await sender.send({ to: ['x@example.com'], subject: 'Hi', text: 'one', idempotencyKey: 'row-7' });
    const b = await sender.send({ to: ['x@example.com'], subject: 'Hi', text: 'one', idempotencyKey: 'row-7' });
    const c = await sender.send({ to: ['x@example.com'], subject: 'Hi', text: 'one', idempotencyKey: 'row-8' });
    expect(a.messageId).toBe(b.messageId);
    expect(c.messageId).not.toBe(a.messageId);
  });

  it('maps 4xx to retryable and 5xx to permanent ChannelSendError', async () => {
    sink.failNextWith = 451;
    const transient = await sender.send({ to: ['x@example.com'], subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(transient).toBeInstanceOf(ChannelSendError);
    expect((transient as ChannelSendError).retryable).toBe(true);
    sink.failNextWith = 550;
    const permanent = await sender.send({ to: ['x@example.com'], subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(permanent).toBeInstanceOf(ChannelSendError);
    expect((permanent as ChannelSendError).retryable).toBe(false);
  });

  it('treats a refused connection as retryable', async () => {
    const down = new SmtpSender({ host: '127.0.0.1', port: 1, secure: false, from: 'support@frontline.test' });
    const error = await down.send({ to: ['x@example.com'], subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelSendError);
    expect((error as ChannelSendError).retryable).toBe(true);
    down.close();
  });
});
