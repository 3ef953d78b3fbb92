import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  private server: Server | undefined;

  constructor(readonly tenant: string) {}

  async start(): Promise<this> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fl-teams-ca-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      this.cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
      const tlsKey = readFileSync(path.join(dir, 'key.pem'), 'utf8');
      this.server = createServer({ key: tlsKey, cert: this.cert }, (req, res) => {
        const base = `${this.url}/${this.tenant}`;
        res.setHeader('content-type', 'application/json');
        if (req.url === `/${this.tenant}/v2.0/.well-known/openid-configuration`) {
          res.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${base}/discovery/v2.0/keys`, id_token_signing_alg_values_supported: ['RS256'], token_endpoint: `${base}/oauth2/v2.0/token` }));
        } else if (req.url === `/${this.tenant}/discovery/v2.0/keys`) {
          this.keyRequests += 1;
          res.end(JSON.stringify({ keys: [{ ...this.key.publicKey.export({ format: 'jwk' }), kid: this.kid, use: 'sig', alg: 'RS256' }] }));
        } else {
          res.statusCode = 404;
          res.end('{}');
        }
      });
      await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
      this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
      return this;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
