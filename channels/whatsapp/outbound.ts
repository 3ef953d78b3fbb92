import type { OutboundMessage } from '../types.js';
import { bodyText, MAX_INTERACTIVE_BODY, numberedParts, renderChoices, splitText, truncate } from '../whatsapp-common/compose.js';
import type { TemplateRef } from './settings.js';

/** Graph `POST /{phone-number-id}/messages` bodies for one of our messages, in sending order (text parts, files after). */
export function messageBodies(to: string, message: OutboundMessage): Record<string, unknown>[] {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  const text = bodyText(message);
  const choices = message.choices ?? [];
  if (choices.length === 0) return splitText(text).map((body) => ({ ...base, type: 'text', text: { body, preview_url: false } }));
  const rendering = renderChoices(choices);
  if (rendering.kind === 'numbered') return numberedParts(message).map((body) => ({ ...base, type: 'text', text: { body, preview_url: false } }));
  // An interactive body holds 1,024 characters: a longer question goes first as text, the options follow.
  const parts = splitText(text, MAX_INTERACTIVE_BODY);
  const question = parts.pop()!;
  const lead = parts.length ? splitText(parts.join('\n')).map((body) => ({ ...base, type: 'text', text: { body, preview_url: false } })) : [];
  const interactive = rendering.kind === 'buttons'
    ? { type: 'button', body: { text: question }, action: { buttons: rendering.buttons.map((b) => ({ type: 'reply', reply: b })) } }
    : { type: 'list', body: { text: question }, action: { button: truncate(message.form ? 'Options' : 'Choose', 20), sections: [{ title: 'Options', rows: rendering.rows }] } };
  return [...lead, { ...base, type: 'interactive', interactive }];
}

/** An approved template naming the incident (`{{1}}` in its body); the only thing allowed outside the window. */
export function templateBody(to: string, template: TemplateRef, incidentNumber: string | undefined, language = template.language): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: {
      name: template.name,
      language: { code: language },
      components: [{ type: 'body', parameters: [{ type: 'text', text: incidentNumber ?? 'your report' }] }],
    },
  };
}

export function mediaBody(to: string, type: 'image' | 'document', mediaId: string, filename: string): Record<string, unknown> {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to, type, [type]: type === 'document' ? { id: mediaId, filename } : { id: mediaId } };
}
