import type { Message } from 'whatsapp-web.js';
import type { ChannelHost, InboundMessage } from '../types.js';
import { contactsText, locationText, POLITE, rememberConversation, type SharedContact, withTypedChoice } from '../whatsapp-common/inbound.js';
import type { WhatsAppWebSettings } from './settings.js';
import { encodeWhatsAppWebThreadKey, type WhatsAppWebReference } from './thread-key.js';

/** What the web intake needs from the adapter. */
export interface WebIntakeRuntime {
  host: ChannelHost;
  settings: WhatsAppWebSettings;
  /** A direct text to the chat (polite refusals), best effort. */
  sendText(reference: WhatsAppWebReference, text: string): Promise<void>;
}

type Planned =
  | { kind: 'receive'; message: InboundMessage; media: boolean }
  | { kind: 'polite'; reference: WhatsAppWebReference; eventId: string; text: string }
  | { kind: 'ignore'; why: string };

const MEDIA = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);

/** Maps one of the library's `Message` objects to what the pipeline understands (pure: no I/O). */
export function planWebMessage(m: Message, settings: Pick<WhatsAppWebSettings, 'groups'>): Planned {
  const chatId = m.from;
  if (m.fromMe) return { kind: 'ignore', why: 'own message' };
  if (m.isStatus || chatId === 'status@broadcast' || m.broadcast) return { kind: 'ignore', why: 'status or broadcast' };
  const group = chatId.endsWith('@g.us');
  if (group && !settings.groups.includes('all') && !settings.groups.includes(chatId)) return { kind: 'ignore', why: 'group not in WHATSAPP_WEB_GROUPS' };
  const reference: WhatsAppWebReference = { chatId };
  const sender = (group ? m.author : undefined) ?? chatId;
  const notifyName = (m.rawData as { notifyName?: unknown } | undefined)?.notifyName;
  const base: InboundMessage = {
    channel: 'whatsapp-web',
    eventId: m.id._serialized, // stable for the message on every device and redelivery
    threadKey: encodeWhatsAppWebThreadKey(reference),
    reference: { ...reference },
    user: { externalId: sender, ...(typeof notifyName === 'string' && notifyName ? { displayName: notifyName } : {}) },
    ...(m.timestamp ? { occurredAt: new Date(m.timestamp * 1000) } : {}),
  };
  const polite: Planned = { kind: 'polite', reference, eventId: base.eventId, text: POLITE.unsupported };
  const text = (t: string | undefined): Planned => (t?.trim() ? { kind: 'receive', message: { ...base, text: t }, media: false } : polite);
  const raw = m as Message & { selectedRowId?: string; selectedButtonId?: string };
  switch (m.type) {
    case 'chat':
      return text(m.body);
    case 'list_response':
    case 'buttons_response': {
      const id = raw.selectedRowId ?? raw.selectedButtonId;
      return id ? { kind: 'receive', message: { ...base, choice: id }, media: false } : text(m.body);
    }
    case 'location':
      return text(m.location ? locationText({ latitude: m.location.latitude, longitude: m.location.longitude, name: m.location.name, address: m.location.address }) : undefined);
    case 'vcard':
    case 'multi_vcard':
      return text(contactsText(m.vCards.map(parseVCard)));
    case 'revoked':
    case 'e2e_notification':
    case 'notification_template':
    case 'gp2':
    case 'protocol':
      return { kind: 'ignore', why: m.type };
    default:
      if (MEDIA.has(m.type) && m.hasMedia) return { kind: 'receive', message: { ...base, ...(m.body ? { text: m.body } : {}) }, media: true };
      return polite;
  }
}

/** The name, numbers and addresses of a vCard (the text WhatsApp sends for a shared contact). */
export function parseVCard(vcard: string): SharedContact {
  const lines = vcard.split(/\r?\n/);
  const value = (l: string) => l.slice(l.indexOf(':') + 1).trim();
  const fn = lines.find((l) => /^FN[:;]/i.test(l));
  return {
    ...(fn ? { name: value(fn) } : {}),
    phones: lines.filter((l) => /^(item\d+\.)?TEL[:;]/i.test(l)).map(value).filter(Boolean),
    emails: lines.filter((l) => /^(item\d+\.)?EMAIL[:;]/i.test(l)).map(value).filter(Boolean),
  };
}

/**
 * Records one incoming message (resolves once committed; a repeat of the same message id is a duplicate and
 * changes nothing). Media is downloaded through the library and stored as the message's attachment first.
 */
export async function receiveWebMessage(rt: WebIntakeRuntime, m: Message): Promise<void> {
  const { host } = rt;
  const plan = planWebMessage(m, rt.settings);
  if (plan.kind === 'ignore') return;
  if (plan.kind === 'polite') return politeOnce(rt, plan.reference, plan.eventId, plan.text);
  let message = plan.message;
  if (plan.media) {
    const withFile = await withMedia(rt, m, message);
    if (withFile === 'too_large') {
      await politeOnce(rt, message.reference as unknown as WhatsAppWebReference, message.eventId, POLITE.tooLarge(rt.settings.maxAttachmentBytes));
      if (!message.text) message = { ...message, text: `(sent a ${m.type} larger than the limit)` };
    } else message = withFile;
  }
  message = await withTypedChoice(host, message);
  const result = await host.receive(message);
  if (!result.duplicate) await rememberConversation(host, message.threadKey, result.conversationId);
}

async function withMedia(rt: WebIntakeRuntime, m: Message, message: InboundMessage): Promise<InboundMessage | 'too_large'> {
  const { host } = rt;
  if (await host.conversations.findByMessageExternalIds('whatsapp-web', [message.eventId])) return message; // stored the first time
  const media = await m.downloadMedia();
  if (!media) return message.text ? message : { ...message, text: `(sent a ${m.type} that could not be downloaded)` };
  const data = Buffer.from(media.data, 'base64');
  if (data.length > rt.settings.maxAttachmentBytes) return 'too_large';
  const { conversationId } = await host.open({ channel: message.channel, threadKey: message.threadKey, reference: message.reference, user: message.user });
  const filename = media.filename ?? `${m.type}.${media.mimetype.split('/')[1]?.split(';')[0] ?? 'bin'}`;
  const stored = await host.storeAttachment(conversationId, { filename, contentType: media.mimetype, data });
  return { ...message, attachments: [stored] };
}

async function politeOnce(rt: WebIntakeRuntime, reference: WhatsAppWebReference, eventId: string, text: string): Promise<void> {
  const key = `polite:${eventId}`;
  if (await rt.host.state.get(key)) return;
  await rt.host.state.set(key, true);
  await rt.sendText(reference, text).catch((err: unknown) => rt.host.logger.warn({ err }, 'could not send a WhatsApp Web notice'));
}
