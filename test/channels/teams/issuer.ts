import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A local Entra-style token issuer over HTTPS with a self-signed certificate (made with `openssl` at test
 * time): OpenID metadata and the JWKS the Agents SDK fetches to verify inbound tokens. Tokens are signed with
 * its RSA key like Azure Bot Service signs them; `foreignKey` signs forgeries with a key it does not publish.
 */
export class LocalIssuer {
  readonly key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly kid = 'test-key-1';
  cert = '';
  url = '';
  keyRequests = 0;
  /** Client-credentials requests the token endpoint received, and the access tokens it issued. */
  readonly tokenRequests: { tenant: string; endpoint: string; form: Record<string, string> }[] = [];
  readonly issued: string[] = [];
  /** Whether a token request's client authentication is good (set by the test). */
  acceptClient: (form: Record<string, string>) => boolean = () => false;
  private server: Server | undefined;

  constructor(readonly tenant: string) {}

  async start(): Promise<this> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fl-teams-ca-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      this.cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
      const tlsKey = readFileSync(path.join(dir, 'key.pem'), 'utf8');
      this.server = createServer({ key: tlsKey, cert: this.cert }, (req, res) => void this.route(req, res));
      await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
      this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
      return this;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    res.setHeader('content-type', 'application/json');
    // Inbound keys are the issuer's own tenant's; outbound, MSAL discovers and calls the token endpoint of the
    // tenant it was given (the bot's own, or botframework.com for multi-tenant bots).
    const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token|discovery\/v2\.0\/keys)$/.exec(new URL(req.url ?? '/', 'https://x').pathname);
    const tenant = m?.[1];
    const base = `${this.url}/${tenant}`;
    if (m?.[2] === 'v2.0/.well-known/openid-configuration') {
      const issuer = tenant === this.tenant ? this.issuer : `${base}/v2.0`;
      res.end(JSON.stringify({ issuer, jwks_uri: `${base}/discovery/v2.0/keys`, id_token_signing_alg_values_supported: ['RS256'], token_endpoint: `${base}/oauth2/v2.0/token`, authorization_endpoint: `${base}/oauth2/v2.0/authorize` }));
    } else if (m?.[2] === 'oauth2/v2.0/token' && req.method === 'POST') {
      this.issueToken(tenant!, `${base}/oauth2/v2.0/token`, Buffer.concat(chunks).toString('utf8'), res);
    } else if (m?.[2] === 'discovery/v2.0/keys' && tenant === this.tenant) {
      this.keyRequests += 1;
      res.end(JSON.stringify({ keys: [{ ...this.key.publicKey.export({ format: 'jwk' }), kid: this.kid, use: 'sig', alg: 'RS256' }] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  }

  /**
   * The OAuth 2.0 client-credentials grant as Entra answers it: the request is recorded; `accept` decides
   * whether the client authenticated (its secret, or its certificate assertion), else 401 invalid_client.
   */
  private issueToken(tenant: string, endpoint: string, body: string, res: ServerResponse): void {
    const form = Object.fromEntries(new URLSearchParams(body));
    this.tokenRequests.push({ tenant, endpoint, form });
    if (!this.acceptClient(form)) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] }));
      return;
    }
    const accessToken = `issued-${this.tokenRequests.length}-${Math.random().toString(36).slice(2)}`;
    this.issued.push(accessToken);
    res.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken }));
  }

  get issuer(): string {
    return `${this.url}/${this.tenant}/v2.0`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** An RS256 JWT; claims override the defaults (valid for 10 minutes, our issuer). */
  token(claims: Record<string, unknown>, options: { key?: KeyObject; kid?: string } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: options.kid ?? this.kid };
    const payload = { iss: this.issuer, iat: now, nbf: now - 5, exp: now + 600, ...claims };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const data = `${b64(header)}.${b64(payload)}`;
    const signature = sign('sha256', Buffer.from(data), options.key ?? this.key.privateKey).toString('base64url');
    return `${data}.${signature}`;
  }
}
