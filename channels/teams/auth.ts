import { type AuthConfiguration, authorizeJWT, MsalTokenProvider, type Request as AgentsRequest } from '@microsoft/agents-hosting';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { TeamsSettings } from './settings.js';

/** The scope of tokens the bot presents to the Bot Connector. */
export const CONNECTOR_SCOPE = 'https://api.botframework.com/.default';

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

/** Bearer tokens for calls to the Bot Connector (none without an app id: local development and the emulator). */
export class ConnectorTokens {
  private readonly provider = new MsalTokenProvider();
  private readonly config: AuthConfiguration;
  constructor(private readonly s: TeamsSettings) {
    this.config = authConfiguration(s);
  }
  async token(): Promise<string> {
    if (!this.s.appId) return '';
    return this.provider.getAccessToken(this.config, CONNECTOR_SCOPE); // MSAL caches until shortly before expiry
  }
}
