import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfidentialClientApplication, type NodeAuthOptions } from '@azure/msal-node';
import { type AuthConfiguration, authorizeJWT, type Request as AgentsRequest } from '@microsoft/agents-hosting';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ChannelSendError } from '../types.js';
import type { TeamsSettings } from './settings.js';

/** The scope of tokens the bot presents to the Bot Connector (the US government cloud has its own). */
export const connectorScope = (authority: string) => (/login\.microsoftonline\.us/i.test(authority) ? 'https://api.botframework.us/.default' : 'https://api.botframework.com/.default');

/** The SDK's connection settings for this bot: token validation inbound, MSAL client credentials outbound. */
export function authConfiguration(s: TeamsSettings): AuthConfiguration {
  const connection: AuthConfiguration = {
    clientId: s.appId,
    tenantId: s.tenantId || 'common', // `common`: the SDK's multi-tenant mode (any Entra tenant, bound to `tid`)
    authority: s.authority,
    authorityEndpoint: s.authority,
    validateIssuer: true,
    ...(s.appPassword ? { clientSecret: s.appPassword } : {}),
    ...(s.certPemFile && s.certKeyFile ? { certPemFile: s.certPemFile, certKeyFile: s.certKeyFile } : {}),
    // Configured issuers replace the SDK's tenant defaults; its Microsoft first-party issuers always apply.
    ...(s.issuers.length ? { issuers: [...s.issuers, `https://sts.windows.net/${s.tenantId || 'common'}/`, `${s.authority}/${s.tenantId || 'common'}/v2.0`] } : {}),
  };
  return { ...connection, connections: new Map([['serviceConnection', connection]]) };
}

/**
 * Validates the Bot Framework JWT of every inbound request with the SDK's `authorizeJWT` (OpenID keys, issuer,
 * audience = app id, expiry), wrapped so that anything wrong with the token — missing, malformed, forged,
 * expired, an unreachable key endpoint — answers 401 JSON and never reaches the intake. It runs before the
 * body is parsed: an unauthenticated caller costs no JSON parsing. The claims go on `res.locals`.
 */
export function teamsTokenCheck(s: TeamsSettings, logger: Logger) {
  const sdk = authorizeJWT(authConfiguration(s));
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!s.appId) return next(); // local development (TEAMS_ENABLED): no tokens
    let verdict: { status: number; reason: string } | undefined;
    let passed = false;
    // The SDK answers on `res` itself; a stand-in keeps its wire format (and any 500) away from the caller.
    const standIn = {
      status: (status: number) => ({ send: (body: unknown) => void (verdict = { status, reason: JSON.stringify(body) }) }),
    };
    try {
      await sdk(req as unknown as AgentsRequest, standIn as never, () => void (passed = true));
    } catch (err) {
      verdict = { status: 401, reason: err instanceof Error ? err.message : String(err) };
    }
    const user = (req as { user?: Record<string, unknown> }).user;
    if (!passed || verdict || !user || user.name === 'anonymous') {
      logger.warn({ reason: verdict?.reason }, 'Teams: request refused, token not valid');
      return refuse(res, 401, 'invalid or missing Bot Framework token');
    }
    res.locals.teamsClaims = user;
    next();
  };
}

/**
 * The checks the SDK leaves to the bot, once the body is parsed: the token's `serviceurl` claim must name the
 * activity's serviceUrl (a valid token cannot redirect our replies elsewhere), and the tenant must be allowed.
 */
export function teamsActivityCheck(s: TeamsSettings, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const claims = res.locals.teamsClaims as Record<string, unknown> | undefined;
    const body = req.body as { serviceUrl?: unknown; conversation?: { tenantId?: unknown }; channelData?: { tenant?: { id?: unknown } } } | undefined;
    if (!body || typeof body !== 'object' || typeof body.serviceUrl !== 'string') return refuse(res, 400, 'not an activity');
    const claimed = claims?.serviceurl ?? claims?.serviceUrl;
    if (typeof claimed === 'string' && sameUrl(claimed) !== sameUrl(body.serviceUrl)) {
      logger.warn({ claimed, serviceUrl: body.serviceUrl }, 'Teams: serviceUrl does not match the token');
      return refuse(res, 401, 'serviceUrl does not match the token');
    }
    if (s.allowedTenants.length) {
      // The activity's tenant is the user's; the token's `tid` is the bot's own (Entra tokens) or absent.
      const tenant = String(body.conversation?.tenantId ?? body.channelData?.tenant?.id ?? '').toLowerCase();
      if (!s.allowedTenants.includes(tenant)) {
        logger.warn({ tenant }, 'Teams: tenant not allowed (TEAMS_ALLOWED_TENANTS)');
        return refuse(res, 403, 'tenant not allowed');
      }
    }
    next();
  };
}

function refuse(res: Response, status: number, message: string): void {
  if (!res.headersSent) res.status(status).json({ error: { code: status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : 'INVALID_ACTIVITY', message } });
}

const sameUrl = (u: string) => u.trim().replace(/\/+$/, '').toLowerCase();

/** Entra hosts MSAL knows (their metadata is built in); any other authority is trusted because it is configured. */
const MICROSOFT_AUTHORITY = /(^|\.)(login\.microsoftonline\.(com|us|de)|login\.microsoft\.com|login\.windows\.net|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn|login\.usgovcloudapi\.net|sts\.windows\.net)$/i;

/**
 * Bearer tokens for calls to the Bot Connector: MSAL client credentials (the app's secret, or a signed assertion
 * with its certificate), cached by MSAL until shortly before expiry. None without an app id (local development).
 *
 * MSAL is used directly rather than through the SDK's MsalTokenProvider because that one offers no
 * `knownAuthorities`: for an authority MSAL does not know (a private sovereign endpoint, a local test issuer) it
 * first asks login.microsoftonline.com to vouch for it, which an offline or air-gapped install cannot reach.
 * Multi-tenant bots get their tokens from the `botframework.com` tenant, single-tenant ones from their own.
 */
export class ConnectorTokens {
  private client: ConfidentialClientApplication | undefined;
  private readonly scope: string;
  constructor(private readonly s: TeamsSettings) {
    this.scope = connectorScope(s.authority);
  }

  /** Why the last token request failed (shown by /readyz), cleared by the next success. */
  lastFailure: string | undefined;

  private inFlight: Promise<string> | undefined;

  token(): Promise<string> {
    if (!this.s.appId) return Promise.resolve('');
    // Concurrent first calls (typing indicator, roster lookup, reply) share one request; MSAL's cache serves the rest.
    this.inFlight ??= this.acquire(this.s.appId).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async acquire(appId: string): Promise<string> {
    try {
      this.client ??= new ConfidentialClientApplication({ auth: msalAuth(this.s, appId) });
      const result = await this.client.acquireTokenByClientCredential({ scopes: [this.scope] });
      if (!result?.accessToken) throw new Error('the token endpoint returned no access token');
      this.lastFailure = undefined;
      return result.accessToken;
    } catch (err) {
      this.lastFailure = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
      // Retryable for the outbox: a token endpoint hiccup heals; a wrong secret shows on /readyz meanwhile.
      throw new ChannelSendError(`Teams: no bot token from ${this.s.authority} (${this.lastFailure})`, { retryable: true, cause: err });
    }
  }
}

function msalAuth(s: TeamsSettings, clientId: string): NodeAuthOptions {
  const tenant = s.tenantId && s.tenantId !== 'common' ? s.tenantId : 'botframework.com';
  const host = new URL(s.authority).host;
  const auth: NodeAuthOptions = { clientId, authority: `${s.authority}/${tenant}`, knownAuthorities: MICROSOFT_AUTHORITY.test(new URL(s.authority).hostname) ? [] : [host] };
  if (s.appPassword) return { ...auth, clientSecret: s.appPassword };
  // Certificate: Entra identifies it by its SHA-256 thumbprint (x5t#S256) and checks the assertion's signature.
  const pem = readFileSync(s.certPemFile!, 'utf8');
  const cert = new X509Certificate(pem);
  const privateKey = createPrivateKey(readFileSync(s.certKeyFile!)).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { ...auth, clientCertificate: { thumbprintSha256: createHash('sha256').update(cert.raw).digest('hex'), privateKey, x5c: pem } };
}
