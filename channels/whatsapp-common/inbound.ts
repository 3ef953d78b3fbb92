import type { ChannelHost, InboundMessage } from '../types.js';
import { matchChoice } from './compose.js';

/**
 * Inbound WhatsApp rules shared by both transports (Cloud API webhooks, whatsapp-web.js events): the polite
 * refusals, how a location or a contact card reads in a report, and typed answers to numbered options.
 */

export const POLITE = {
  unsupported: 'Sorry, I cannot read this kind of message. Please describe the problem in text, or send a photo or a document.',
  tooLarge: (max: number) => `Sorry, that file is too large for me (the limit is ${Math.floor(max / (1024 * 1024))} MB). Please send a smaller one, or a link to it.`,
} as const;

export function locationText(l: { latitude: number | string; longitude: number | string; name?: string | undefined; address?: string | undefined }): string {
  const label = [l.name, l.address].filter(Boolean).join(', ');
  return `📍 ${label ? `${label} ` : ''}(${l.latitude}, ${l.longitude})`;
}

export interface SharedContact {
  name?: string | undefined;
  phones: string[];
  emails: string[];
}

export function contactsText(contacts: readonly SharedContact[]): string {
  return contacts.map((c) => {
    const details = [...c.phones, ...c.emails].filter(Boolean).join(', ');
    return `👤 ${c.name ?? 'Contact'}${details ? `: ${details}` : ''}`;
  }).join('\n');
}

/** The state key remembering a thread's conversation id, written after the first message commits. */
export const conversationKey = (threadKey: string) => `conversation:${threadKey}`;

/**
 * Options may go out as numbered text, and people type answers to buttons too: a typed "2" (or the option's
 * words) answers the last question the reporter received, read from the transcript.
 */
export async function withTypedChoice(host: ChannelHost, message: InboundMessage): Promise<InboundMessage> {
  if (!message.text || message.choice || message.text.length > 40) return message;
  const conversationId = await host.state.get<string>(conversationKey(message.threadKey));
  if (!conversationId) return message;
  const options = (await host.conversations.lastDeliveredChoices([conversationId])).get(conversationId);
  const choice = options ? matchChoice(message.text, options) : undefined;
  return choice ? { ...message, choice } : message;
}

/** Remembers the conversation of each newly committed thread, for {@link withTypedChoice}. */
export async function rememberConversation(host: ChannelHost, threadKey: string, conversationId: string): Promise<void> {
  const key = conversationKey(threadKey);
  if ((await host.state.get<string>(key)) !== conversationId) await host.state.set(key, conversationId);
}
