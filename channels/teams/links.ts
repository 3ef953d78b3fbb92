import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { AttachmentRef, ChannelHost } from '../types.js';

/**
 * Signed, expiring download links for files Frontline stores (an agent's file for a Teams reporter, a
 * reporter's file shown in a triage card's reply chain): Teams cannot carry our bytes as an attachment, so a
 * card button opens `PUBLIC_URL/api/teams/files/<conversation>/<attachment>?exp=…&sig=…`. The HMAC key is made
 * once and kept in the channel's state, so every instance signs and checks alike without another setting.
 */
const KEY_STATE = 'file-link-key';
/** Long enough for a reporter who reads the chat after a holiday; short enough that a forwarded link dies. */
export const LINK_TTL_SECONDS = 14 * 24 * 3600;

export async function linkKey(host: Pick<ChannelHost, 'state'>): Promise<string> {
  const existing = await host.state.get<string>(KEY_STATE);
  if (existing) return existing;
  await host.state.set(KEY_STATE, randomBytes(32).toString('hex'));
  // Two instances starting at once: the row that stayed is the key for both.
  return (await host.state.get<string>(KEY_STATE))!;
}

const mac = (key: string, conversationId: string, attachmentId: string, exp: number) => createHmac('sha256', key).update(`${conversationId}/${attachmentId}/${exp}`).digest('base64url');

export function signedFileUrl(key: string, publicUrl: string, conversationId: string, attachmentId: string, nowMs = Date.now()): string {
  const exp = Math.floor(nowMs / 1000) + LINK_TTL_SECONDS;
  return `${publicUrl.replace(/\/+$/, '')}/api/teams/files/${conversationId}/${attachmentId}?exp=${exp}&sig=${mac(key, conversationId, attachmentId, exp)}`;
}

/** Links for the stored files of a message (those with an id), by attachment id. */
export async function fileUrls(host: Pick<ChannelHost, 'state'>, publicUrl: string | undefined, conversationId: string | undefined, files: readonly AttachmentRef[] | undefined): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  const stored = (files ?? []).filter((f) => f.id && !f.url);
  if (!publicUrl || !conversationId || !stored.length) return urls;
  const key = await linkKey(host);
  for (const f of stored) urls.set(f.id!, signedFileUrl(key, publicUrl, conversationId, f.id!));
  return urls;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** GET /api/teams/files/:conversationId/:attachmentId — the file, when the signature holds and has not expired. */
export function fileDownload(host: Pick<ChannelHost, 'state' | 'readAttachment'>) {
  return async (req: Request, res: Response): Promise<void> => {
    const conversationId = String(req.params.conversationId);
    const attachmentId = String(req.params.attachmentId);
    const exp = Number(req.query.exp);
    const sig = typeof req.query.sig === 'string' ? req.query.sig : '';
    if (!UUID.test(conversationId) || !UUID.test(attachmentId) || !Number.isInteger(exp) || !sig) {
      res.status(400).json({ error: { code: 'INVALID_LINK', message: 'not a Frontline file link' } });
      return;
    }
    const expected = Buffer.from(mac(await linkKey(host), conversationId, attachmentId, exp));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'the link is not valid' } });
      return;
    }
    if (exp * 1000 < Date.now()) {
      res.status(401).json({ error: { code: 'LINK_EXPIRED', message: 'the link has expired; ask the service desk to send the file again' } });
      return;
    }
    const found = await host.readAttachment(conversationId, attachmentId);
    if (!found) {
      res.status(404).json({ error: { code: 'NOT_FOUND', message: 'file not found' } });
      return;
    }
    // Never rendered inline on our origin: an uploaded file could be HTML or SVG with scripts.
    res.set({
      'Content-Type': found.ref.contentType,
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(found.ref.filename)}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, no-store',
    });
    res.send(found.data);
  };
}
