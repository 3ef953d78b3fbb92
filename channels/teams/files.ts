import type { AttachmentRef } from '../types.js';
import type { TeamsRuntime } from './runtime.js';

/** A file the reporter sent: Teams' file consent download info (chats, channels) or an inline image. */
export const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

export interface InboundFile {
  name: string;
  contentType: string;
  url: string;
  /** Inline images live at the connector and need the bot token; download URLs are pre-authorised. */
  needsToken: boolean;
}

export interface TeamsAttachment {
  contentType?: string | undefined;
  contentUrl?: string | null | undefined;
  content?: unknown;
  name?: string | null | undefined;
}

const EXTENSION_TYPES: Record<string, string> = {
  txt: 'text/plain', log: 'text/plain', csv: 'text/csv', pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg',
  gif: 'image/gif', json: 'application/json', zip: 'application/zip', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The files among an activity's attachments (cards and the HTML copy of the text are not files). */
export function inboundFiles(attachments: readonly TeamsAttachment[] | undefined): InboundFile[] {
  const files: InboundFile[] = [];
  for (const [i, a] of (attachments ?? []).entries()) {
    if (a.contentType === FILE_DOWNLOAD_INFO) {
      const c = (a.content ?? {}) as { downloadUrl?: unknown; fileType?: unknown };
      if (typeof c.downloadUrl !== 'string') continue;
      const ext = typeof c.fileType === 'string' ? c.fileType.toLowerCase() : 'bin';
      files.push({ name: a.name || `file-${i + 1}.${ext}`, contentType: EXTENSION_TYPES[ext] ?? 'application/octet-stream', url: c.downloadUrl, needsToken: false });
    } else if (a.contentType?.startsWith('image/') && a.contentUrl) {
      const ext = a.contentType.split('/')[1]?.split(/[;+]/)[0] ?? 'img';
      files.push({ name: a.name || `image-${i + 1}.${ext}`, contentType: a.contentType, url: a.contentUrl, needsToken: true });
    }
  }
  return files;
}

export type Fetched = { ok: true; filename: string; contentType: string; data: Buffer } | { ok: false; name: string; reason: 'too_large' | 'failed' };

/** Downloads one file, stopping as soon as it passes the limit (a missing Content-Length must not let it through). */
export async function download(rt: TeamsRuntime, file: InboundFile): Promise<Fetched> {
  const limit = rt.settings.maxAttachmentBytes;
  try {
    const token = file.needsToken ? await rt.tokens.token() : '';
    const res = await fetch(file.url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(30_000) });
    if (!res.ok || !res.body) return { ok: false, name: file.name, reason: 'failed' };
    if (Number(res.headers.get('content-length') ?? 0) > limit) {
      await res.body.cancel();
      return { ok: false, name: file.name, reason: 'too_large' };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        return { ok: false, name: file.name, reason: 'too_large' };
      }
      chunks.push(Buffer.from(value));
    }
    return { ok: true, filename: file.name, contentType: res.headers.get('content-type')?.split(';')[0] || file.contentType, data: Buffer.concat(chunks) };
  } catch (err) {
    rt.logger.warn({ err, file: file.name }, 'Teams: file download failed');
    return { ok: false, name: file.name, reason: 'failed' };
  }
}

/** The polite refusal for files that could not be taken. */
export function refusal(skipped: { name: string; reason: 'too_large' | 'failed' }[], limit: number): string {
  const mb = Math.max(1, Math.round(limit / (1024 * 1024)));
  return skipped
    .map((s) => (s.reason === 'too_large' ? `Sorry, I could not take "${s.name}": files may be at most ${mb} MB. Please share a link to it instead.` : `Sorry, I could not download "${s.name}". Please try sending it again.`))
    .join('\n');
}

export type StoredFiles = { attachments: AttachmentRef[]; skipped: { name: string; reason: 'too_large' | 'failed' }[] };
