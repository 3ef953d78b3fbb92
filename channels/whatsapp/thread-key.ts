import type { ConversationReference } from '../types.js';

/** Where a WhatsApp conversation lives: our business number (one app may serve several) and the person. */
export interface WhatsAppReference {
  phoneNumberId: string;
  waId: string;
}

export const encodeWhatsAppThreadKey = (r: WhatsAppReference): string => `whatsapp:${r.phoneNumberId}:${r.waId}`;

export function decodeWhatsAppThreadKey(key: string): WhatsAppReference {
  const m = /^whatsapp:(\d+):(\d+)$/.exec(key);
  if (!m) throw new Error(`not a WhatsApp thread key: ${key}`);
  return { phoneNumberId: m[1]!, waId: m[2]! };
}

export function parseWhatsAppReference(r: ConversationReference): WhatsAppReference {
  if (typeof r.phoneNumberId !== 'string' || typeof r.waId !== 'string') throw new Error('not a WhatsApp conversation reference');
  return { phoneNumberId: r.phoneNumberId, waId: r.waId };
}
