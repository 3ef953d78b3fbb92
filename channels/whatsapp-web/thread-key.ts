import type { ConversationReference } from '../types.js';

/** A whatsapp-web.js chat: `46701234567@c.us` (a person), `…@lid`, or `120363…@g.us` (a group). */
export interface WhatsAppWebReference {
  chatId: string;
}

const PREFIX = 'whatsapp-web:';

export const encodeWhatsAppWebThreadKey = (r: WhatsAppWebReference): string => `${PREFIX}${r.chatId}`;

export function decodeWhatsAppWebThreadKey(threadKey: string): WhatsAppWebReference {
  if (!threadKey.startsWith(PREFIX) || !/^[^\s@]+@[a-z.]+$/.test(threadKey.slice(PREFIX.length))) throw new Error(`not a WhatsApp Web thread key: ${threadKey}`);
  return { chatId: threadKey.slice(PREFIX.length) };
}

export function parseWhatsAppWebReference(reference: ConversationReference): WhatsAppWebReference {
  const chatId = reference.chatId;
  if (typeof chatId !== 'string' || !/^[^\s@]+@[a-z.]+$/.test(chatId)) throw new Error('not a WhatsApp Web reference');
  return { chatId };
}
