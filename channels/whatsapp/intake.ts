import type { AttachmentRef, ChannelHost, InboundMessage, ReceiveResult } from '../types.js';
import { contactsText, locationText, POLITE, rememberConversation, withTypedChoice } from '../whatsapp-common/inbound.js';
import type { GraphClient } from './graph-client.js';
import { fetchInboundMedia, MEDIA_TYPES, type MediaType } from './media.js';
import type { CloudMessage, CloudStatus, WebhookItems } from './payload.js';
import type { WhatsAppSettings } from './settings.js';
import { encodeWhatsAppThreadKey, type WhatsAppReference } from './thread-key.js';

/** What intake needs from the adapter. */
export interface WhatsAppRuntime {
  host: ChannelHost;
  graph: GraphClient;
  settings: WhatsAppSettings;
  /** A best-effort direct text (polite refusals): the person just wrote, so the window is open. */
  sendText(reference: WhatsAppReference, text: string): Promise<void>;
  /** Delivers what was held outside the 24-hour window, now that the reporter wrote again. */
  flushHeld(conversationId: string): Promise<void>;
}

export { POLITE };

/** One inbound webhook message, as intake will hand it over. */
type Planned =
  | { kind: 'receive'; message: InboundMessage; media?: { type: MediaType; id: string; mimeType?: string; filename?: string } }
  | { kind: 'polite'; reference: WhatsAppReference; eventId: string; text: string }
  | { kind: 'ignore'; why: string };

/** Maps a Cloud API message to what the pipeline understands (pure: no I/O). */
export function planMessage(item: WebhookItems['messages'][number]): Planned {
  const { message: m, phoneNumberId } = item;
  const reference: WhatsAppReference = { phoneNumberId, waId: m.from };
  const base: InboundMessage = {
    channel: 'whatsapp',
    eventId: m.id, // the wamid: identical on every redelivery
    threadKey: encodeWhatsAppThreadKey(reference),
    reference: { ...reference },
    user: { externalId: m.from, ...(item.name ? { displayName: item.name } : {}) },
    ...(m.timestamp ? { occurredAt: new Date(Number(m.timestamp) * 1000) } : {}),
  };
  const text = (t: string | undefined): Planned => (t?.trim() ? { kind: 'receive', message: { ...base, text: t } } : { kind: 'polite', reference, eventId: m.id, text: POLITE.unsupported });
  switch (m.type) {
    case 'text':
      return text(m.text?.body);
    case 'interactive': {
      const answer = m.interactive?.button_reply ?? m.interactive?.list_reply;
      return answer ? { kind: 'receive', message: { ...base, choice: answer.id } } : { kind: 'polite', reference, eventId: m.id, text: POLITE.unsupported };
    }
    case 'button':
      // A template's quick reply: its payload is the id we gave it, else the button's text is the answer.
      return text(m.button?.payload ?? m.button?.text);
    case 'location': {
      const l = m.location;
      return text(l ? locationText(l) : undefined);
    }
    case 'contacts':
      return text(contactsText((m.contacts ?? []).map((c) => ({
        name: c.name?.formatted_name,
        phones: (c.phones ?? []).flatMap((p) => (p.phone ? [p.phone] : [])),
        emails: (c.emails ?? []).flatMap((e) => (e.email ? [e.email] : [])),
      }))));
    case 'reaction':
      return { kind: 'ignore', why: 'reaction' }; // an emoji on a message changes nothing in a report
    case 'system':
      return { kind: 'ignore', why: 'system' };
    default: {
      if ((MEDIA_TYPES as readonly string[]).includes(m.type)) {
        const type = m.type as MediaType;
        const media = m[type];
        if (!media) return text(undefined);
        return {
          kind: 'receive',
          message: { ...base, ...(media.caption ? { text: media.caption } : {}) },
          media: { type, id: media.id, ...(media.mime_type ? { mimeType: media.mime_type } : {}), ...(media.filename ? { filename: media.filename } : {}) },
        };
      }
      return { kind: 'polite', reference, eventId: m.id, text: POLITE.unsupported }; // 'unsupported', order, errors…
    }
  }
}

/**
 * Records a webhook's messages and applies its delivery statuses. Resolves once every message is committed
 * (the caller answers 200 only then, so Meta redelivers anything not recorded). Redeliveries are duplicates
 * by wamid and change nothing.
 */
export async function receiveWebhook(rt: WhatsAppRuntime, items: WebhookItems): Promise<void> {
  const { host } = rt;
  const toReceive: InboundMessage[] = [];
  const polite: Extract<Planned, { kind: 'polite' }>[] = [];
  for (const item of items.messages) {
    if (!rt.settings.phoneNumberIds.includes(item.phoneNumberId)) {
      host.logger.warn({ phoneNumberId: item.phoneNumberId }, 'WhatsApp message for a phone number not in WHATSAPP_PHONE_NUMBER_ID; ignored');
      continue;
    }
    const plan = planMessage(item);
    if (plan.kind === 'ignore') continue;
    if (plan.kind === 'polite') {
      polite.push(plan);
      continue;
    }
    let message = plan.message;
    if (plan.media) message = await withMedia(rt, message, plan.media, polite);
    if (message.text && !message.choice) message = await withTypedChoice(rt.host, message);
    toReceive.push(message);
  }
  const results = toReceive.length ? await host.receiveMany(toReceive) : [];
  await afterCommit(rt, toReceive, results, polite);
  for (const { status } of items.statuses) await applyStatus(rt, status);
}

/** Downloads and stores a file first, so it arrives as the message's attachment; a refusal goes to the person. */
async function withMedia(rt: WhatsAppRuntime, message: InboundMessage, media: { type: MediaType; id: string; mimeType?: string; filename?: string }, polite: Extract<Planned, { kind: 'polite' }>[]): Promise<InboundMessage> {
  const redelivered = await rt.host.conversations.findByMessageExternalIds('whatsapp', [message.eventId]);
  if (redelivered) return message; // stored the first time; the pipeline will call this a duplicate
  const file = await fetchInboundMedia(rt.graph, media, rt.settings.maxAttachmentBytes);
  if (file === 'too_large') {
    polite.push({ kind: 'polite', reference: message.reference as unknown as WhatsAppReference, eventId: message.eventId, text: POLITE.tooLarge(rt.settings.maxAttachmentBytes) });
    return message.text ? message : { ...message, text: `(sent a ${media.type} larger than the limit)` };
  }
  const { conversationId } = await rt.host.open({ channel: message.channel, threadKey: message.threadKey, reference: message.reference, user: message.user });
  const stored: AttachmentRef = await rt.host.storeAttachment(conversationId, file);
  return { ...message, attachments: [stored] };
}

async function afterCommit(rt: WhatsAppRuntime, received: InboundMessage[], results: ReceiveResult[], polite: Extract<Planned, { kind: 'polite' }>[]): Promise<void> {
  const { host } = rt;
  const conversations = new Map<string, string>();
  results.forEach((r, i) => {
    if (!r.duplicate) conversations.set(received[i]!.threadKey, r.conversationId);
  });
  for (const [threadKey, conversationId] of conversations) {
    await rememberConversation(host, threadKey, conversationId);
    // The reporter wrote: the window is open again, so what waited for it goes out now (errors: next time).
    await rt.flushHeld(conversationId).catch((err: unknown) => host.logger.warn({ err, conversationId }, 'could not deliver held WhatsApp messages yet'));
  }
  for (const p of polite) {
    // Once per message, whatever Meta redelivers.
    const key = `polite:${p.eventId}`;
    if (await host.state.get(key)) continue;
    await host.state.set(key, true);
    await rt.sendText(p.reference, p.text).catch((err: unknown) => host.logger.warn({ err }, 'could not send a WhatsApp notice'));
  }
}

/**
 * `sent` confirms what the outbox already shows; `delivered`/`read` are stored on the message (never moving
 * back); `failed` (after Meta accepted the message) turns its outbox row into a dead letter with Meta's reason.
 */
async function applyStatus(rt: WhatsAppRuntime, status: CloudStatus): Promise<void> {
  if (status.status === 'delivered' || status.status === 'read') {
    const at = status.timestamp ? new Date(Number(status.timestamp) * 1000) : new Date();
    await rt.host.deliveries.messageStatus('whatsapp', status.id, status.status, at);
    return;
  }
  if (status.status !== 'failed') return;
  const e = status.errors?.[0];
  const reason = e ? `WhatsApp ${e.code ?? ''}: ${e.message ?? e.title ?? 'failed'}${e.error_data?.details ? ` (${e.error_data.details})` : ''}` : 'WhatsApp: delivery failed';
  const found = await rt.host.deliveries.messageFailed('whatsapp', status.id, reason.trim());
  rt.host.logger.warn({ wamid: status.id, reason, found }, 'WhatsApp could not deliver a message');
}

export type { CloudMessage };
