import type { TranscriptMessage } from '../types.js';

/** The public JSON shape of a message in the web chat API (documented in the OpenAPI file). */
export interface WebchatMessage {
  id: string;
  direction: 'in' | 'out';
  author: string;
  text: string;
  choices?: { id: string; label: string }[];
  attachments?: { id?: string; filename: string; contentType: string; size: number; url?: string }[];
  createdAt: string;
}

export function present(m: TranscriptMessage, attachmentUrl: (id: string) => string): WebchatMessage {
  return {
    id: m.id,
    direction: m.direction,
    author: m.author,
    text: m.text,
    ...(m.choices?.length ? { choices: m.choices } : {}),
    ...(m.attachments?.length
      ? { attachments: m.attachments.map((a) => ({ ...a, ...(a.id ? { url: attachmentUrl(a.id) } : {}) })) }
      : {}),
    createdAt: m.createdAt.toISOString(),
  };
}
