import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../../helpers/databases.js';
import { LocalIssuer } from './issuer.js';
import { fixturesPresent, MISSING, TeamsWorld, TENANT } from './world.js';

const APP_ID = '6b3f2a10-8c4d-4e5f-9a0b-1c2d3e4f5a6b';
const BOT_TENANT = '3b9e9fbb-ed2f-415b-b776-cf788e573366';

/**
 * Production token validation: the SDK's JWT middleware fetches the signing keys from a local HTTPS issuer
 * whose self-signed certificate this process trusts (the in-process equivalent of NODE_EXTRA_CA_CERTS for
 * the JWKS client, which uses Node's global https agent).
 */
const MODES = [
  // Single tenant: keys and issuer of the bot's own tenant (the SDK's defaults for TEAMS_TENANT_ID).
  { mode: 'single-tenant', keyTenant: BOT_TENANT, env: (_issuer: LocalIssuer) => ({ TEAMS_TENANT_ID: BOT_TENANT }) },
  // Multi-tenant: no tenant id (the SDK's `common`), the issuer accepted through TEAMS_ISSUERS.
  { mode: 'multi-tenant', keyTenant: 'common', env: (issuer: LocalIssuer) => ({ TEAMS_ISSUERS: issuer.issuer }) },
];

for (const { kind, skip } of DB_KINDS) for (const { mode, keyTenant, env } of MODES) {
  describe.skipIf(skip || !fixturesPresent)(`Teams inbound authentication, ${mode} (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: TeamsWorld;
    let issuer: LocalIssuer;
    let previousCa: unknown;
    beforeAll(async () => {
      issuer = await new LocalIssuer(keyTenant).start();
      previousCa = https.globalAgent.options.ca;
      https.globalAgent.options.ca = issuer.cert;
      world = await TeamsWorld.start(kind, {
        TEAMS_ENABLED: '', TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'not-used-offline',
        TEAMS_AUTHORITY: issuer.url, TEAMS_ALLOWED_TENANTS: TENANT, ...env(issuer),
      });
    }, 60_000);
    afterAll(async () => {
      https.globalAgent.options.ca = previousCa as string;
      await world?.close();
      await issuer?.stop();
    });

    const conversations = async () => (await world.app.frontline.db.pool.query(`SELECT count(*)::int AS n FROM conversation WHERE channel = 'teams'`)).rows[0].n as number;
    const claims = () => ({ aud: APP_ID, serviceurl: world.connector.url, tid: BOT_TENANT, appid: 'teams-channel' });

    it('refuses a missing header, a malformed header, a forged signature, a wrong audience, an expired token and a foreign serviceUrl with 401 JSON; nothing is stored', async () => {
      const u = world.newUser('Mallory');
      const activity = () => world.personalMessage(u, 'please file this');
      const cases: [string, string | undefined][] = [
        ['missing header', undefined],
        ['malformed header', 'Bearer'],
        ['not a JWT', 'Bearer abc.def.ghi'],
        ['wrong scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
        ['forged signature', `Bearer ${issuer.token(claims(), { key: issuer.foreignKey.privateKey })}`],
        ['unknown key id', `Bearer ${issuer.token(claims(), { kid: 'other' })}`],
        ['wrong audience', `Bearer ${issuer.token({ ...claims(), aud: '11111111-2222-3333-4444-555555555555' })}`],
        ['expired', `Bearer ${issuer.token({ ...claims(), iat: 1_600_000_000, nbf: 1_600_000_000, exp: 1_600_000_600 })}`],
        ['wrong issuer', `Bearer ${issuer.token({ ...claims(), iss: 'https://evil.example.com/v2.0' })}`],
        ['foreign serviceUrl', `Bearer ${issuer.token({ ...claims(), serviceurl: 'https://evil.example.com/' })}`],
      ];
      for (const [label, authorization] of cases) {
        const res = await world.post(activity(), authorization);
        expect(res.status, label).toBe(401);
        expect(res.headers.get('content-type'), label).toMatch(/json/);
        expect(((await res.json()) as { error: { code: string } }).error.code, label).toBe('UNAUTHORIZED');
      }
      // A body that is not even JSON is refused for its missing token before it is parsed.
      const garbage = await fetch(`${world.app.url}/api/teams/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "message", ' });
      expect(garbage.status).toBe(401);
      expect(await conversations()).toBe(0);
      expect(world.connector.posted).toHaveLength(0);
    });

    it('accepts a valid token from the issuer (keys fetched over HTTPS) and refuses a tenant outside TEAMS_ALLOWED_TENANTS', async () => {
      const u = world.newUser('Alice');
      const ok = await world.post(world.personalMessage(u, 'my laptop will not boot'), `Bearer ${issuer.token(claims())}`);
      expect(ok.status).toBe(200);
      expect(issuer.keyRequests).toBeGreaterThan(0);
      expect(await conversations()).toBe(1);
      const foreign = world.personalMessage(u, 'hello', { conversation: { id: 'a:other', conversationType: 'personal', tenantId: '99999999-9999-4999-8999-999999999999' }, channelData: { tenant: { id: '99999999-9999-4999-8999-999999999999' } } });
      const refused = await world.post(foreign, `Bearer ${issuer.token(claims())}`);
      expect(refused.status).toBe(403);
      expect(await conversations()).toBe(1);
    });
  });
}
