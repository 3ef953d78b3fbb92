import { createHash, randomUUID } from 'node:crypto';
import type { Choice } from '../types.js';

/** Rendering of outbound mail bodies: plain text first, a simple HTML twin, choices as numbered options. */

/** Text with the choices appended as "1. Label" lines; replies are matched by number or label. */
export function renderChoicesText(text: string, choices: Choice[] = []): string {
  if (choices.length === 0) return text;
  const options = choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n');
  return `${text.trimEnd()}\n\n${options}\n\nReply with the number or the text of your choice.`;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Light markdown (**bold**, links) is left as text; paragraphs and line breaks are kept. */
export function renderHtml(text: string, choices: Choice[] = []): string {
  const paragraphs = text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const list =
    choices.length > 0
      ? `\n<ol>\n${choices.map((c) => `<li>${escapeHtml(c.label)}</li>`).join('\n')}\n</ol>\n<p>Reply with the number or the text of your choice.</p>`
      : '';
  return `<!doctype html><html><body style="font-family:sans-serif">\n${paragraphs}${list}\n</body></html>`;
}

/**
 * Our Message-ID. Derived from the idempotency key when given, so a retried send carries the same id and the
 * recipient's server (and our own threading) sees one message.
 */
export function makeMessageId(domain: string, idempotencyKey?: string): string {
  const local = idempotencyKey
    ? createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)
    : randomUUID().replace(/-/g, '');
  return `<frontline.${local}@${domain}>`;
}

/** References for a reply: the parent's references plus the parent, capped like common clients do. */
export function replyReferences(parentReferences: string[] = [], parentId?: string, max = 20): string[] {
  const all = [...parentReferences, ...(parentId ? [parentId] : [])];
  const unique = [...new Set(all)];
  // Keep the root (first) and the most recent ones; clients rely on both ends.
  return unique.length <= max ? unique : [unique[0] ?? '', ...unique.slice(-(max - 1))];
}
