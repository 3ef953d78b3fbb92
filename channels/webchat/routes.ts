import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { FrontlineError } from '../../src/errors.js';
import { bearerToken } from '../../src/http/bearer.js';
import { fingerprintOf, idempotencyKeyOf, REPLAYED_HEADER, reusedKey } from '../../src/http/idempotency.js';
import { parseRequest as parse } from '../../src/http/validate.js';
import type { AttachmentRef, ChannelHost } from '../types.js';
import { streamEvents } from './events.js';
import { StreamHub } from './stream-hub.js';
import { verifyVisitor } from './identity.js';
import { present } from './presenter.js';
import { signToken, type WebchatClaims, verifyToken } from './token.js';

export interface WebchatSettings {
  secret: string;
  maxAttachmentBytes: number;
  tokenTtlDays: number;
  /** A title the operator set; empty: the page shows its own, translated one. */
  title: string;
  /** Locales offered to the page; the first is the default. */
  locales: readonly string[];
  pollMs: number;
  /** WEBCHAT_IDENTITY_SECRET: verifies `user` identities signed by the embedding page. */
  identitySecret?: string;
}

const createBody = z
  .object({
    locale: z.string().regex(/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})?$/).optional(),
    // Optional, typed by the visitor: shown to agents as given.
    name: z.string().trim().min(1).max(100).optional(),
    email: z.email().max(200).optional(),
    // Signed by the embedding page (see identity.ts): wins over name/email.
    user: z.string().max(2_000).optional(),
  })
  .strict();
/** What a visitor may tell about themselves after reporting (shown to agents, never used to link people). */
export const reporterBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    email: z.email('that does not look like an email address').max(200).optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.email !== undefined, { message: 'send a name, an email, or both' });
/** Longest message text; the page checks it before sending (served in /config). */
export const MAX_TEXT_LENGTH = 20_000;
const messageBody = z
  .object({
    text: z.string().max(MAX_TEXT_LENGTH, 'messages are limited to 20,000 characters').optional(),
    choice: z.string().max(200).optional(),
    attachments: z.array(z.uuid()).max(10).optional(),
  })
  .strict()
  .refine((b) => b.text !== undefined || b.choice !== undefined || (b.attachments?.length ?? 0) > 0, {
    message: 'send text, a choice, or attachments',
  });

/** The public web chat API (`/webchat/v1`), documented in the OpenAPI file. */
export function webchatRouter(host: ChannelHost, settings: WebchatSettings, channel = 'webchat'): Router {
  const hub = new StreamHub(host, settings.pollMs);
  const router = express.Router();
  // Links carry the conversation token so a plain <a href> can download (browsers cannot add a header).
  const attachmentUrl = (conversationId: string, token?: string) => (id: string) =>
    `/webchat/v1/conversations/${conversationId}/attachments/${id}${token ? `?token=${encodeURIComponent(token)}` : ''}`;

  router.get('/config', (_req, res) => {
    res.json({ maxAttachmentBytes: settings.maxAttachmentBytes, maxTextLength: MAX_TEXT_LENGTH, title: settings.title, locale: settings.locales[0] ?? 'en', locales: settings.locales });
  });

  router.post('/conversations', async (req, res) => {
    const body = parse(createBody, req.body ?? {});
    const identity = body.user
      ? verifyVisitor(body.user, settings.identitySecret)
      : { ...(body.name ? { displayName: body.name } : {}), ...(body.email ? { email: body.email.toLowerCase() } : {}), emailVerified: false };
    const visitor = randomUUID();
    const threadKey = `${channel}:${visitor}`;
    const { conversationId } = await host.open({
      channel,
      threadKey,
      reference: { visitor },
      user: { externalId: visitor, ...identity },
      locale: body.locale?.toLowerCase(),
    });
    const exp = Math.floor(Date.now() / 1000) + settings.tokenTtlDays * 86_400;
    res.status(201).json({ conversationId, token: signToken({ c: conversationId, v: visitor, exp }, settings.secret) });
  });

  router.post('/conversations/:id/messages', async (req, res) => {
    const claims = authorize(req, settings.secret, HEADER_ONLY);
    const body = parse(messageBody, req.body);
    const key = idempotencyKeyOf(req);
    let attachments: AttachmentRef[] | undefined;
    if (body.attachments?.length) {
      attachments = [];
      for (const id of body.attachments) {
        const found = await host.readAttachment(claims.c, id);
        if (!found) throw new FrontlineError('BAD_REQUEST', `attachment ${id} is not part of this conversation`);
        attachments.push({ ...found.ref, id });
      }
    }
    const result = await host.receive({
      channel,
      eventId: key ? `${claims.c}:${key}` : randomUUID(),
      threadKey: `${channel}:${claims.v}`,
      reference: { visitor: claims.v },
      user: { externalId: claims.v },
      text: body.text,
      choice: body.choice,
      attachments,
      ...(key ? { fingerprint: fingerprintOf(body) } : {}),
    });
    if (result.conflict) throw reusedKey();
    if (result.duplicate) res.set(REPLAYED_HEADER, 'true');
    res.status(202).json({ messageId: result.messageId ?? null });
  });

  router.get('/conversations/:id/messages', async (req, res) => {
    const claims = authorize(req, settings.secret, HEADER_ONLY);
    const after = cursorParam(req.query.after);
    const page = await host.transcript(claims.c, after);
    res.json({ messages: page.messages.map((m) => present(m, attachmentUrl(claims.c, tokenOf(req)))), cursor: String(page.cursor) });
  });

  // The widget offers anonymous visitors to leave a name and email once their report is filed.
  router.get('/conversations/:id/reporter', async (req, res) => {
    const claims = authorize(req, settings.secret, HEADER_ONLY);
    res.json(await host.reporters.describe(claims.c));
  });

  router.put('/conversations/:id/reporter', async (req, res) => {
    const claims = authorize(req, settings.secret, HEADER_ONLY);
    const body = parse(reporterBody, req.body);
    res.json(await host.reporters.update(claims.c, { ...(body.name ? { displayName: body.name } : {}), ...(body.email ? { email: body.email } : {}) }));
  });

  router.get('/conversations/:id/events', (req, res) => {
    const claims = authorize(req, settings.secret, QUERY_ALLOWED); // EventSource cannot send headers
    streamEvents(host, req, res, claims.c, attachmentUrl(claims.c, tokenOf(req, QUERY_ALLOWED)), { hub, heartbeatMs: 25_000 });
  });

  router.post(
    '/conversations/:id/attachments',
    (req: Request, _res: Response, next: NextFunction) => {
      authorize(req, settings.secret, HEADER_ONLY);
      const declared = Number(req.get('content-length') ?? 0);
      if (declared > settings.maxAttachmentBytes) throw tooLarge(settings.maxAttachmentBytes);
      next();
    },
    express.raw({ type: () => true, limit: settings.maxAttachmentBytes }),
    async (req, res) => {
      const claims = authorize(req, settings.secret, HEADER_ONLY);
      const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (data.length === 0) throw new FrontlineError('BAD_REQUEST', 'the file is empty');
      const filename = safeFilename(decodeFilename(req.get('x-filename') ?? 'file'));
      const contentType = (req.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
      const stored = await host.storeAttachment(claims.c, { filename, contentType, data });
      res.status(201).json({ ...stored, url: attachmentUrl(claims.c, tokenOf(req))(stored.id) });
    },
  );

  router.get('/conversations/:id/attachments/:attachmentId', async (req, res) => {
    const claims = authorize(req, settings.secret, QUERY_ALLOWED); // a plain <a href> download cannot either
    const found = z.uuid().safeParse(req.params.attachmentId).success ? await host.readAttachment(claims.c, String(req.params.attachmentId)) : undefined;
    if (!found) throw new FrontlineError('NOT_FOUND', 'attachment not found');
    // Never render uploaded files inline on our origin: they could be HTML or SVG with scripts.
    res.set({
      'Content-Type': found.ref.contentType,
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(found.ref.filename)}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
    res.send(found.data);
  });

  return router;
}

const HEADER_ONLY = { query: false } as const;
const QUERY_ALLOWED = { query: true } as const;

/**
 * The bearer token of the header, or — only where a browser cannot send a header (EventSource, download
 * links) — of `?token=`. Tokens in URLs end up in proxy logs and history, so nothing else accepts them.
 */
function tokenOf(req: Request, where: { query: boolean } = HEADER_ONLY): string | undefined {
  const header = bearerToken(req.get('authorization'));
  if (header) return header;
  return where.query && typeof req.query.token === 'string' ? req.query.token : undefined;
}

/** Verifies the conversation token and that it is bound to the path's conversation id. */
function authorize(req: Request, secret: string, where: { query: boolean }): WebchatClaims {
  const token = tokenOf(req, where);
  if (!token) {
    const hint = !where.query && typeof req.query.token === 'string' ? ' (send it as "Authorization: Bearer <token>"; ?token= is accepted only for event streams and downloads)' : '';
    throw new FrontlineError('UNAUTHORIZED', `missing bearer token${hint}`);
  }
  const claims = verifyToken(token, secret);
  if (!claims) throw new FrontlineError('UNAUTHORIZED', 'invalid or expired token; start a new conversation');
  if (claims.c !== req.params.id) throw new FrontlineError('FORBIDDEN', 'this token belongs to another conversation');
  return claims;
}

function cursorParam(v: unknown): number {
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new FrontlineError('BAD_REQUEST', 'after must be a cursor returned by this API');
  return n;
}

export function tooLarge(max: number): FrontlineError {
  const mb = (max / 1024 / 1024).toFixed(max >= 1024 * 1024 ? 0 : 1);
  return new FrontlineError('PAYLOAD_TOO_LARGE', `Sorry, that file is too large. Files can be up to ${mb} MB.`);
}

function decodeFilename(header: string): string {
  try {
    return decodeURIComponent(header);
  } catch {
    throw new FrontlineError('BAD_REQUEST', 'X-Filename must be the percent-encoded UTF-8 file name');
  }
}

// Control characters and path separators never reach a Content-Disposition header or a download name.
// eslint-disable-next-line no-control-regex
const safeFilename = (name: string) => name.replace(/[\u0000-\u001f/\\]+/g, '_').slice(0, 200) || 'file';
