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
    text: withoutRepeatedAuthor(m.author, m.text),
    ...(m.choices?.length ? { choices: m.choices } : {}),
    ...(m.attachments?.length
      ? { attachments: m.attachments.map((a) => ({ ...a, ...(a.id ? { url: attachmentUrl(a.id) } : {}) })) }
      : {}),
    createdAt: m.createdAt.toISOString(),
  };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The page shows an agent's name above their message, so the name that starts a relayed reply ("Maria on
 * INC-000042: …", in any language) is not repeated in the text; the incident number stays.
 */
function withoutRepeatedAuthor(author: string, text: string): string {
  if (!author.startsWith('agent:')) return text;
  const name = author.slice('agent:'.length);
  return text.replace(new RegExp(`^${escape(name)} \\p{L}+ (INC-\\d+): `, 'u'), '$1: ');
}
