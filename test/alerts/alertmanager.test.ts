import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/http/auth.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DB_KINDS } from '../helpers/databases.js';

/** An Alertmanager webhook body (version 4) as Alertmanager sends it. */
function alertmanager(status: 'firing' | 'resolved', alerts: { labels: Record<string, string>; fingerprint?: string; summary?: string; status?: 'firing' | 'resolved' }[]) {
  return {
    version: '4', groupKey: '{}:{alertname="VpnGatewayDown"}', truncatedAlerts: 0, status, receiver: 'frontline',
    groupLabels: { alertname: alerts[0]!.labels.alertname }, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
    alerts: alerts.map((a) => ({
      status: a.status ?? status, labels: a.labels, annotations: a.summary ? { summary: a.summary } : {},
      startsAt: '2026-12-03T09:00:00.000Z', endsAt: status === 'resolved' ? '2026-12-03T09:20:00.000Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph', ...(a.fingerprint ? { fingerprint: a.fingerprint } : {}),
    })),
  };
}

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip)(`monitoring alerts (${kind})`, () => {
    let app: TestApp;
    let token: string;
    const post = async (path: string, body: unknown, bearer: string | null = token) => {
      const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const incidentOf = async (fingerprint: string) => {
      const row = await app.frontline.db.prisma.monitoringAlert.findUniqueOrThrow({ where: { fingerprint } });
      return row.incidentId ? app.frontline.db.prisma.incident.findUniqueOrThrow({ where: { id: row.incidentId }, include: { events: { orderBy: { createdAt: 'asc' } } } }) : null;
    };

    beforeAll(async () => {
      app = await startTestApp(kind, { env: { ALERTS_RESOLVE_INCIDENTS: 'true', ALERTS_FLAP_WINDOW_MINUTES: '10' } });
      token = (await createApiToken(app.frontline.db, 'alertmanager', 'alerts')).token;
    }, 60_000);
    afterAll(async () => {
      await app?.close();
    });

    it('needs a token with the alerts role, and the alerts role reads nothing else', async () => {
      const body = alertmanager('firing', [{ labels: { alertname: 'X', service: 'vpn' } }]);
      expect((await post('/api/v1/alerts/alertmanager', body, null)).status).toBe(401);
      expect((await post('/api/v1/alerts/alertmanager', body, app.tokens.agent)).status).toBe(403);
      const list = await fetch(`${app.url}/api/v1/incidents`, { headers: { authorization: `Bearer ${token}` } });
      expect(list.status).toBe(403);
    });

    it('refuses malformed payloads with a reason', async () => {
      const bad = await post('/api/v1/alerts/alertmanager', { status: 'firing', alerts: [{ status: 'firing', labels: { service: 'vpn' } }] });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/alertname/);
      expect((await post('/api/v1/alerts', { alerts: [{ id: 'a', status: 'burning', name: 'n' }] })).status).toBe(400);
    });

    it('opens an incident with a candidate on the mapped service, deduplicates, and pulls human reports in', async () => {
      const firing = alertmanager('firing', [{ labels: { alertname: 'VpnGatewayDown', service: 'vpn', ci: 'vpn-gw-sto', severity: 'critical' }, fingerprint: 'fp-vpn-1', summary: 'vpn-gw-sto unreachable' }]);
      expect((await post('/api/v1/alerts/alertmanager', firing)).body).toMatchObject({ received: 1, opened: 1 });
      expect((await post('/api/v1/alerts/alertmanager', firing)).body).toMatchObject({ received: 1, duplicate: 1 });
      const incident = (await incidentOf('fp-vpn-1'))!;
      expect(incident).toMatchObject({ service: 'vpn', ciId: 'vpn-gw-sto', assignmentGroup: 'Network Operations', priority: 'P1' });
      expect(incident.majorIncidentId).not.toBeNull();
      const major = await app.frontline.db.prisma.majorIncident.findUniqueOrThrow({ where: { id: incident.majorIncidentId! } });
      expect(major).toMatchObject({ status: 'candidate', serviceId: 'vpn' });
      expect(await app.frontline.db.prisma.incident.count({ where: { title: { startsWith: '[alert]' } } })).toBe(1);

      // A person reporting a VPN failure now joins that cluster at once (one report: below any threshold).
      const { incident: human } = await app.frontline.pipeline.transaction(async (tx) => {
        const reporter = await tx.contact.create({ data: { displayName: 'Eva' } });
        return { incident: await app.frontline.incidents.create(tx, { title: 'No puedo conectar a la VPN', description: 'No puedo conectar a la VPN desde casa', reporterId: reporter.id }) };
      });
      const joined = await app.frontline.db.prisma.incident.findUniqueOrThrow({ where: { id: human.id }, include: { events: true } });
      expect(joined.majorIncidentId).toBe(major.id);
      expect(joined.events.find((e) => e.type === 'major_linked')?.body).toMatch(/firing monitoring alert/);
    });

    it('a resolved alert adds a timeline entry and resolves the incident; flapping reopens the same one, then stops resolving', async () => {
      const labels = { alertname: 'ExchangeQueueHigh', job: 'exchange' };
      await post('/api/v1/alerts/alertmanager', alertmanager('firing', [{ labels, fingerprint: 'fp-mail' }]));
      const first = (await incidentOf('fp-mail'))!;
      expect(first.service).toBe('exchange_outlook');
      expect((await post('/api/v1/alerts/alertmanager', alertmanager('resolved', [{ labels, fingerprint: 'fp-mail' }]))).body).toMatchObject({ resolved: 1 });
      let now = (await incidentOf('fp-mail'))!;
      expect(now.status).toBe('resolved');
      expect(now.events.map((e) => e.type)).toEqual(expect.arrayContaining(['alert_firing', 'alert_resolved']));
      // Fires again within the flap window: the same incident is reopened (no second incident).
      expect((await post('/api/v1/alerts/alertmanager', alertmanager('firing', [{ labels, fingerprint: 'fp-mail' }]))).body).toMatchObject({ refired: 1 });
      now = (await incidentOf('fp-mail'))!;
      expect(now.id).toBe(first.id);
      expect(now.status).toBe('reopened');
      // Flapping twice: resolved alerts no longer resolve the incident.
      await post('/api/v1/alerts/alertmanager', alertmanager('resolved', [{ labels, fingerprint: 'fp-mail' }]));
      await post('/api/v1/alerts/alertmanager', alertmanager('firing', [{ labels, fingerprint: 'fp-mail' }]));
      await post('/api/v1/alerts/alertmanager', alertmanager('resolved', [{ labels, fingerprint: 'fp-mail' }]));
      now = (await incidentOf('fp-mail'))!;
      expect(now.status).toBe('reopened');
      expect(now.events.filter((e) => e.type === 'alert_firing').at(-1)?.body).toMatch(/flapping/);
      expect(await app.frontline.db.prisma.incident.count({ where: { service: 'exchange_outlook', title: { startsWith: '[alert]' } } })).toBe(1);
    });

    it('accepts the generic JSON form and records alerts no service owns without an incident', async () => {
      const res = await post('/api/v1/alerts', { alerts: [
        { id: 'zabbix-1', status: 'firing', name: 'PrintSpoolerDown', service: 'printers', ci: 'print-srv-01', summary: 'spooler stopped' },
        { id: 'zabbix-2', status: 'firing', name: 'DiskFull', labels: { host: 'db9' } },
      ] });
      expect(res.body).toMatchObject({ received: 2, opened: 1, unmapped: 1 });
      expect(await incidentOf('generic:zabbix-1')).toMatchObject({ service: 'printers', ciId: 'print-srv-01' });
      expect(await incidentOf('generic:zabbix-2')).toBeNull();
    });
  });
}
