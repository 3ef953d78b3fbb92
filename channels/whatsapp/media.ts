import type { GraphClient } from './graph-client.js';

export const MEDIA_TYPES = ['image', 'document', 'audio', 'video', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'video/mp4': 'mp4', 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3',
  'application/pdf': 'pdf', 'text/plain': 'txt',
};

/**
 * A file a person sent: `GET /{media-id}` gives a short-lived URL and the size, the URL is downloaded with the
 * token. Refused before downloading when Meta's declared size is over the limit, and while reading otherwise.
 */
export async function fetchInboundMedia(
  graph: GraphClient,
  media: { type: MediaType; id: string; mimeType?: string; filename?: string },
  maxBytes: number,
): Promise<{ filename: string; contentType: string; data: Buffer } | 'too_large'> {
  const info = await graph.getJson<{ url: string; mime_type?: string; file_size?: string | number }>(encodeURIComponent(media.id));
  if (Number(info.file_size ?? 0) > maxBytes) return 'too_large';
  const got = await graph.download(info.url, maxBytes);
  if (got === 'too_large') return got;
  const contentType = media.mimeType ?? info.mime_type ?? got.contentType ?? 'application/octet-stream';
  const base = contentType.split(';')[0]!.trim();
  return { filename: media.filename ?? `${media.type}-${media.id}.${EXTENSIONS[base] ?? 'bin'}`, contentType: base, data: got.data };
}

/** Uploads a file for sending (`POST /{phone-number-id}/media`, multipart); returns the media id. */
export async function uploadMedia(graph: GraphClient, phoneNumberId: string, file: { filename: string; contentType: string; data: Buffer }): Promise<string> {
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', file.contentType);
  form.set('file', new Blob([new Uint8Array(file.data)], { type: file.contentType }), file.filename);
  const res = await graph.postForm<{ id: string }>(`${encodeURIComponent(phoneNumberId)}/media`, form);
  return res.id;
}

/** How an uploaded file is sent: images as images (shown inline), everything else as a document. */
export const outboundMediaType = (contentType: string): 'image' | 'document' => (/^image\/(jpeg|png)$/.test(contentType) ? 'image' : 'document');
