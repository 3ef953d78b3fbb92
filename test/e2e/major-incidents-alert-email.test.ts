import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../channels/email/adapter.js';
import { parseEmailSettings } from '../../channels/email/settings.js';
import { createApiToken } from '../../src/http/auth.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { DovecotServer, dovecotMissingReason, findDovecot } from '../channels/email/dovecot.js';
import { SmtpSink, type CapturedMail } from '../channels/email/smtp-sink.js';
import { mail, SUPPORT, threading } from '../channels/email/world.js';
import { outageStream } from '../fixtures/major/outage-stream.js';

const hasDovecot = findDovecot() !== undefined;

/**
 * Issue 13's end-to-end case: Alertmanager fires → an incident and a candidate on the VPN; 50 reports by web
 * chat and email within two minutes join it; an agent declares it, every report is a child, and a later
 * report (by email) is told at once that the outage is known (real Dovecot, SMTP sink, real HTTP).
 */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !hasDovecot)(`major incident from an alert, web chat and email (${kind})${hasDovecot ? '' : ` — ${dovecotMissingReason}`}`, () => {
    let app: TestApp;
    let sink: SmtpSink;
    let dovecot: DovecotServer;
    const expectMail = (to: string, pattern: RegExp, timeoutMs = 60_000): Promise<CapturedMail> =>
      eventually(async () => sink.received.find((m) => m.envelope.to.includes(to) && pattern.test(m.parsed.text ?? '')), timeoutMs, `a mail to ${to} matching ${pattern}`);

    beforeAll(async () => {
      sink = new SmtpSink();
      await sink.start();
      dovecot = new DovecotServer();
      await dovecot.start();
      const email = new EmailAdapter(parseEmailSettings({
        IMAP_HOST: '127.0.0.1', IMAP_PORT: String(dovecot.port), IMAP_SECURE: 'false', IMAP_USER: dovecot.user.user, IMAP_PASSWORD: dovecot.user.pass,
        SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), SMTP_SECURE: 'false', SUPPORT_ADDRESS: `"IT Support" <${SUPPORT}>`,
      }), { smtpTransport: { ignoreTLS: true }, imap: { initialSync: 'all', reconnect: { initialMs: 50, maxMs: 500 }, autoIdleDelayMs: 200, pollIntervalMs: 1_000 } });
      app = await startTestApp(kind, { channels: [email] });
    }, 90_000);
    afterAll(async () => {
      await app?.close();
      await sink?.stop();
      await dovecot?.destroy();
    });

    it('alert → incident and candidate; 50 reports in two minutes join; declared; a later email is told it is known', async () => {
      const alertsToken = (await createApiToken(app.frontline.db, 'alertmanager', 'alerts')).token;
      const fired = await fetch(`${app.url}/api/v1/alerts/alertmanager`, {
        method: 'POST', headers: { authorization: `Bearer ${alertsToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: '4', status: 'firing', receiver: 'frontline', alerts: [{ status: 'firing', labels: { alertname: 'VpnGatewayDown', service: 'vpn', severity: 'critical' }, annotations: { summary: 'VPN gateway unreachable' }, startsAt: new Date().toISOString(), fingerprint: 'e2e-vpn' }] }),
      });
      expect(await fired.json()).toMatchObject({ opened: 1 });
      const alertRow = await app.frontline.db.prisma.monitoringAlert.findUniqueOrThrow({ where: { fingerprint: 'e2e-vpn' } });
      const alertIncident = await app.frontline.db.prisma.incident.findUniqueOrThrow({ where: { id: alertRow.incidentId! } });
      const majorId = alertIncident.majorIncidentId!;
      expect(majorId).toBeTruthy();

      const started = Date.now();
      const texts = outageStream(21).filter((r) => r.truth === 'vpn-outage').map((r) => r.text);
      // 10 by email (the short flow: the confirmation is answered with "1"), 40 by web chat, all at once.
      const byEmail = texts.slice(0, 10).map(async (text, i) => {
        const from = `user${i}@example.org`;
        const root = `<vpn-${i}@example.org>`;
        await dovecot.deliver([mail({ from, subject: 'VPN', messageId: root, body: text })]);
        const confirm = await expectMail(from, /Shall I go ahead|Ska jag|Continúo|Posso continuar/);
        const c = threading(confirm);
        await dovecot.deliver([mail({ from, subject: `Re: ${c.subject.replace(/^Re: /, '')}`, messageId: `<vpn-${i}-yes@example.org>`, inReplyTo: c.messageId, references: [root, c.messageId], body: '1' })]);
        await expectMail(from, /INC-\d{6}/);
      });
      const byChat = texts.slice(10, 50).map(async (text) => {
        const chat = await new WebchatClient(app.url).open();
        await chat.send({ text });
        await eventually(async () => {
          await chat.poll();
          return chat.transcript.some((m) => m.direction === 'out' && m.choices?.some((ch) => ch.id === 'yes'));
        }, 60_000, 'the confirmation');
        await chat.send({ choice: 'yes' });
        await chat.expectReply(/INC-\d{6}/, 60_000);
      });
      await Promise.all([...byEmail, ...byChat]);
      expect(Date.now() - started).toBeLessThan(120_000);

      const reports = await app.frontline.db.prisma.incident.findMany({ where: { title: { not: { startsWith: '[alert]' } } } });
      expect(reports).toHaveLength(50);
      const joined = reports.filter((r) => r.majorIncidentId === majorId).length;
      expect(joined).toBeGreaterThanOrEqual(45); // recall ≥ 0.9: a report may be phrased too oddly to count

      const res = await fetch(`${app.url}/api/v1/major-incidents/${majorId}/declare`, { method: 'POST', headers: { authorization: `Bearer ${app.tokens.agent}` } });
      expect(res.status).toBe(200);
      const detail = (await (await fetch(`${app.url}/api/v1/major-incidents/${majorId}`, { headers: { authorization: `Bearer ${app.tokens.agent}` } })).json()) as { status: string; incidents: unknown[] };
      expect(detail.status).toBe('declared');
      expect(detail.incidents).toHaveLength(joined + 1); // + the alert's own incident

      // A later report by email is told at once (no confirmation question), in its language, and linked.
      await dovecot.deliver([mail({ from: 'late@example.se', subject: 'VPN', messageId: '<late@example.se>', body: 'VPN:en ligger nere, jag kan inte ansluta hemifrån.' })]);
      const notice = await expectMail('late@example.se', /känd störning: MI-\d+/);
      expect(notice.parsed.text).toMatch(/Svara "nej" om ditt problem är ett annat/);
      const number = /INC-\d{6}/.exec(notice.parsed.text!)![0];
      const late = await app.frontline.incidents.get(app.frontline.db.prisma, number);
      expect(late.majorIncidentId).toBe(majorId);
      expect(sink.received.some((m) => m.envelope.to.includes('late@example.se') && /Ska jag göra det/.test(m.parsed.text ?? ''))).toBe(false);
    }, 240_000);
  });
}
