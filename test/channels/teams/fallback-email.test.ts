import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../channels/email/adapter.js';
import { parseEmailSettings } from '../../../channels/email/settings.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { DovecotServer, dovecotMissingReason, findDovecot } from '../email/dovecot.js';
import { SmtpSink } from '../email/smtp-sink.js';
import { SUPPORT } from '../email/world.js';
import { fixturesPresent, MISSING, TeamsWorld } from './world.js';

const hasDovecot = findDovecot() !== undefined;

/**
 * Issue 11 §7: the bot was removed from the reporter's chat (403 BotNotInConversationRoster). The conversation
 * is marked dead, /readyz names it, and the notice reaches the reporter by email instead (real SMTP sink,
 * real Dovecot for the email channel's reader), with the incident's timeline saying so.
 */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !hasDovecot || !fixturesPresent)(`Teams notice falls back to email (${kind})${hasDovecot ? '' : ` — ${dovecotMissingReason}`}${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: TeamsWorld;
    let sink: SmtpSink;
    let dovecot: DovecotServer;
    beforeAll(async () => {
      sink = new SmtpSink();
      await sink.start();
      dovecot = new DovecotServer();
      await dovecot.start();
      const email = new EmailAdapter(parseEmailSettings({
        IMAP_HOST: '127.0.0.1', IMAP_PORT: String(dovecot.port), IMAP_SECURE: 'false', IMAP_USER: dovecot.user.user, IMAP_PASSWORD: dovecot.user.pass,
        SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), SMTP_SECURE: 'false', SUPPORT_ADDRESS: `"IT Support" <${SUPPORT}>`,
      }), { smtpTransport: { ignoreTLS: true }, imap: { reconnect: { initialMs: 50, maxMs: 500 }, autoIdleDelayMs: 200, pollIntervalMs: 2_000 } });
      world = await TeamsWorld.start(kind, {}, { channels: [email] });
    }, 90_000);
    afterAll(async () => {
      await world?.close();
      await sink?.stop();
      await dovecot?.destroy();
    });

    it('a 403 roster error marks the chat dead and the status notice goes to the reporter by email', async () => {
      const u = world.newUser('Greta');
      const chat = world.personalConversation(u);
      await world.dm(u, 'The projector in room 4 shows no signal');
      const confirm = await world.expectPosted(/Shall I go ahead/, chat, 15_000);
      await world.click(u, confirm, 'yes');
      const filed = await world.expectPosted(/INC-\d{6}/, chat, 15_000);
      const number = /INC-\d{6}/.exec(filed.activity.text ?? '')![0];

      world.connector.fail(chat, { status: 403, sticky: true, body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } } });
      const res = await fetch(`${world.app.url}/api/v1/incidents/${number}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${world.app.tokens.agent}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'in_progress' }),
      });
      expect(res.status).toBe(200);
      const mail = await eventually(async () => sink.received.find((m) => m.envelope.to.includes(u.email) && /in progress/.test(m.parsed.text ?? '')), 20_000, 'the notice by email');
      expect(mail.parsed.subject).toContain(`[${number}]`);
      const readyz = (await (await fetch(`${world.app.url}/readyz`)).json()) as { checks: Record<string, { detail?: string }> };
      expect(readyz.checks['channel:teams']?.detail).toContain(chat);
      const detail = (await (await fetch(`${world.app.url}/api/v1/incidents/${number}`, { headers: { authorization: `Bearer ${world.app.tokens.agent}` } })).json()) as { timeline: { type: string; body: string }[] };
      expect(detail.timeline.find((e) => e.type === 'delivery_fallback')?.body).toMatch(new RegExp(`on teams .*by email to ${u.email}`));
    });
  });
}
