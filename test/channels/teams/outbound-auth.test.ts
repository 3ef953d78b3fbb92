import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { constants, createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../helpers/databases.js';
import { FakeConnector } from './connector.js';
import { LocalIssuer } from './issuer.js';
import { BOT, findAction, fixture, fixturesPresent, type Json, MISSING, nextActivityId, TENANT } from './world.js';

const BIN = path.resolve(import.meta.dirname, '../../../bin/frontline.js');
const APP_ID = '6b3f2a10-8c4d-4e5f-9a0b-1c2d3e4f5a6b';
const BOT_TENANT = '3b9e9fbb-ed2f-415b-b776-cf788e573366';
const SECRET = 'Xy8Q~local-test-secret';
// The token endpoint is not a database matter: one kind is enough (PostgreSQL starts faster when it is there).
const KIND = DB_KINDS.find((k) => k.kind === 'postgres' && !k.skip)?.kind ?? 'pglite';

/**
 * Outbound credentials, offline: a real `frontline start` process with TEAMS_APP_ID gets its Bot Connector token
 * by MSAL client credentials from a local HTTPS token endpoint (self-signed CA trusted through
 * NODE_EXTRA_CA_CERTS, which fetch only reads at process start — hence the child process) and sends it as the
 * Bearer of every connector call. Both credential kinds: a client secret (multi-tenant bot: the
 * botframework.com tenant) and a certificate (single-tenant bot: a signed client assertion).
 */
describe.skipIf(!fixturesPresent)(`Teams outbound MSAL credentials (${KIND})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fl-teams-msal-'));
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let connector: FakeConnector;
  let certPem = '';
  beforeAll(async () => {
    connector = await new FakeConnector().start();
    // The app registration's certificate credential (not the TLS one).
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'bot.key'), '-out', path.join(dir, 'bot.pem'), '-days', '1', '-subj', '/CN=frontline-bot'], { stdio: 'ignore' });
    certPem = readFileSync(path.join(dir, 'bot.pem'), 'utf8');
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const c of cleanups.reverse()) await c().catch(() => {});
    await connector?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the server as a child process trusting the issuer's CA; resolves with its URL. */
  async function startServer(issuer: LocalIssuer, env: Record<string, string>): Promise<string> {
    const db: TestDatabase = await createTestDatabase(KIND);
    cleanups.push(() => db.drop());
    const ca = path.join(dir, `ca-${children.length}.pem`);
    writeFileSync(ca, issuer.cert);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, [BIN, 'start'], {
      env: {
        ...process.env, ...db.env, PORT: String(port), NODE_ENV: 'test', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', OUTBOX_POLL_MS: '100', OUTBOX_BASE_DELAY_MS: '200', OUTBOX_MAX_DELAY_MS: '1000', FRONTLINE_DIALOG: 'report-incident',
        NODE_EXTRA_CA_CERTS: ca, TEAMS_APP_ID: APP_ID, TEAMS_AUTHORITY: issuer.url, TEAMS_SERVICE_URL: connector.url, ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    return eventually(async () => {
      if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
      return /Frontline is running: (http:\/\/\S+)/.exec(output)?.[1];
    }, 60_000, 'the server to print its URL');
  }

  const personal = (userId: string, aad: string, text: string, extra: Json = {}): Json => ({
    ...fixture('SampleActivityMessageWithAADObjectId.json'),
    id: nextActivityId(), text, timestamp: new Date().toISOString(), serviceUrl: connector.url, locale: 'en-US',
    from: { id: userId, name: 'Petra', aadObjectId: aad }, recipient: BOT,
    conversation: { conversationType: 'personal', tenantId: TENANT, id: `a:personal-${aad}` }, channelData: { tenant: { id: TENANT } }, ...extra,
  });

  const VARIANTS = [
    {
      credential: 'client secret, multi-tenant',
      keyTenant: 'common',
      tokenTenant: 'botframework.com',
      env: (issuer: LocalIssuer) => ({ TEAMS_APP_PASSWORD: SECRET, TEAMS_ISSUERS: issuer.issuer }),
      accept: (form: Record<string, string>) => form.client_secret === SECRET,
      checkClient: (form: Record<string, string>) => expect(form.client_secret).toBe(SECRET),
    },
    {
      credential: 'certificate, single-tenant',
      keyTenant: BOT_TENANT,
      tokenTenant: BOT_TENANT,
      env: () => ({ TEAMS_TENANT_ID: BOT_TENANT, TEAMS_CERT_PEM_FILE: path.join(dir, 'bot.pem'), TEAMS_CERT_KEY_FILE: path.join(dir, 'bot.key') }),
      accept: (form: Record<string, string>) => assertionValid(form.client_assertion, certPem),
      checkClient: (form: Record<string, string>, endpoint: string) => {
        expect(form.client_secret).toBeUndefined();
        expect(form.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        const { header, claims } = decodeJwt(form.client_assertion!);
        // Entra finds the credential by the certificate's SHA-256 thumbprint and checks the signature with it.
        expect(header['x5t#S256']).toBe(createHash('sha256').update(new X509Certificate(certPem).raw).digest('base64url'));
        expect(claims).toMatchObject({ aud: endpoint, iss: APP_ID, sub: APP_ID });
        expect(assertionValid(form.client_assertion, certPem)).toBe(true);
      },
    },
  ];

  for (const v of VARIANTS) {
    it(`${v.credential}: the token comes from the configured authority's token endpoint and is the Bearer of every connector call`, async () => {
      const issuer = await new LocalIssuer(v.keyTenant).start();
      cleanups.push(() => issuer.stop());
      issuer.acceptClient = v.accept;
      const url = await startServer(issuer, v.env(issuer));
      const inbound = () => `Bearer ${issuer.token({ aud: APP_ID, serviceurl: connector.url, tid: BOT_TENANT, appid: 'teams-channel' })}`;
      const aad = `00000000-0000-4000-8000-${String(Date.now()).slice(-12)}`;
      const user = `29:user-${aad}`;
      connector.members.set(user, { name: 'Petra', email: 'petra@contoso.com', userPrincipalName: 'petra@contoso.com' });
      const chat = `a:personal-${aad}`;
      const post = (activity: Json) => fetch(`${url}/api/teams/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: inbound() }, body: JSON.stringify(activity) });

      expect((await post(personal(user, aad, 'The shared printer prints blank pages'))).status).toBe(200);
      const confirm = await eventually(async () => connector.messages(chat).find((p) => /Shall I go ahead/.test(p.activity.text ?? '')), 20_000, 'the confirmation in Teams');
      const yes = findAction(confirm, 'yes');
      expect((await post({ ...personal(user, aad, ''), text: undefined, replyToId: confirm.id, value: yes.data })).status).toBe(200);
      await eventually(async () => connector.messages(chat).find((p) => /Your incident is INC-/.test(p.activity.text ?? '')), 20_000, 'the filing notice in Teams');

      // One client-credentials grant at the tenant's endpoint, for the Bot Connector scope; MSAL cached it after.
      expect(issuer.tokenRequests).toHaveLength(1);
      const [request] = issuer.tokenRequests;
      expect(request!.tenant).toBe(v.tokenTenant);
      expect(request!.form).toMatchObject({ grant_type: 'client_credentials', client_id: APP_ID, scope: 'https://api.botframework.com/.default' });
      v.checkClient(request!.form, request!.endpoint);
      const sent = connector.posted.filter((p) => p.conversationId === chat);
      expect(sent.length).toBeGreaterThanOrEqual(3); // typing, confirmation, filing notice (and the answered card)
      expect(new Set(sent.map((p) => p.authorization))).toEqual(new Set([`Bearer ${issuer.issued[0]}`]));
    }, 90_000);
  }

  it('a refused credential sends nothing unauthenticated: the reply waits in the outbox, retried', async () => {
    const issuer = await new LocalIssuer('common').start();
    cleanups.push(() => issuer.stop());
    issuer.acceptClient = () => false; // e.g. an expired secret
    const url = await startServer(issuer, { TEAMS_APP_PASSWORD: 'expired-secret', TEAMS_ISSUERS: issuer.issuer });
    const aad = `00000000-0000-4000-8000-${String(Date.now() + 1).slice(-12)}`;
    const res = await fetch(`${url}/api/teams/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.token({ aud: APP_ID, serviceurl: connector.url, tid: BOT_TENANT })}` },
      body: JSON.stringify(personal(`29:user-${aad}`, aad, 'Outlook asks for my password all the time')),
    });
    expect(res.status).toBe(200);
    const readyz = await eventually(async () => {
      const r = (await (await fetch(`${url}/readyz`)).json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
      return r.checks['channel:teams']?.ok === false ? r.checks['channel:teams'] : undefined;
    }, 20_000, '/readyz reporting the token failure');
    expect(readyz.detail).toMatch(/cannot get a bot token: invalid_client/);
    // The typing indicator's attempt, the reply's first attempt and its retries.
    await eventually(async () => issuer.tokenRequests.length >= 3, 20_000, 'the token request retried');
    expect(connector.posted.filter((p) => p.conversationId === `a:personal-${aad}`)).toEqual([]);
  }, 90_000);
});

function decodeJwt(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as Record<string, unknown>, claims: JSON.parse(Buffer.from(c!, 'base64url').toString('utf8')) as Record<string, unknown> };
}

/** The assertion's signature checks out with the certificate's public key (RS256 or PS256, as MSAL chooses). */
function assertionValid(jwt: string | undefined, certPem: string): boolean {
  if (!jwt) return false;
  const [h, c, s] = jwt.split('.');
  const { header } = decodeJwt(jwt);
  const key = new X509Certificate(certPem).publicKey;
  const data = Buffer.from(`${h}.${c}`);
  const signature = Buffer.from(s!, 'base64url');
  if (header.alg === 'PS256') return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
  return header.alg === 'RS256' && verify('sha256', data, key, signature);
}
