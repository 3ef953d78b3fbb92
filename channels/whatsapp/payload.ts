import { z } from 'zod';

/**
 * The parts of a Cloud API `messages` webhook we rely on (Meta's webhook reference; the examples in
 * fixtures/channels/whatsapp-cloud/webhook_examples). Unknown fields pass; unknown message types are kept
 * as such so the person gets a polite answer instead of silence.
 */
const media = z.object({ id: z.string(), mime_type: z.string().optional(), sha256: z.string().optional(), caption: z.string().optional(), filename: z.string().optional() });

export const inboundMessageSchema = z.object({
  from: z.string(),
  id: z.string(),
  timestamp: z.string().optional(),
  type: z.string(),
  context: z.object({ id: z.string().optional(), from: z.string().optional() }).passthrough().optional(),
  text: z.object({ body: z.string() }).optional(),
  interactive: z.object({
    type: z.string(),
    button_reply: z.object({ id: z.string(), title: z.string().optional() }).optional(),
    list_reply: z.object({ id: z.string(), title: z.string().optional(), description: z.string().optional() }).optional(),
  }).passthrough().optional(),
  /** A template's quick-reply button. */
  button: z.object({ payload: z.string().optional(), text: z.string().optional() }).optional(),
  image: media.optional(),
  document: media.optional(),
  audio: media.optional(),
  video: media.optional(),
  sticker: media.optional(),
  location: z.object({ latitude: z.coerce.number(), longitude: z.coerce.number(), name: z.string().optional(), address: z.string().optional() }).optional(),
  contacts: z.array(z.object({
    name: z.object({ formatted_name: z.string().optional() }).passthrough().optional(),
    phones: z.array(z.object({ phone: z.string().optional() }).passthrough()).optional(),
    emails: z.array(z.object({ email: z.string().optional() }).passthrough()).optional(),
  }).passthrough()).optional(),
  reaction: z.object({ message_id: z.string().optional(), emoji: z.string().optional() }).optional(),
  errors: z.array(z.object({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional() }).passthrough()).optional(),
}).passthrough();
export type CloudMessage = z.infer<typeof inboundMessageSchema>;

export const statusSchema = z.object({
  id: z.string(),
  status: z.string(),
  recipient_id: z.string().optional(),
  timestamp: z.string().optional(),
  errors: z.array(z.object({
    code: z.number().optional(),
    title: z.string().optional(),
    message: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).passthrough().optional(),
  }).passthrough()).optional(),
}).passthrough();
export type CloudStatus = z.infer<typeof statusSchema>;

const valueSchema = z.object({
  messaging_product: z.string().optional(),
  metadata: z.object({ phone_number_id: z.string(), display_phone_number: z.string().optional() }),
  contacts: z.array(z.object({ wa_id: z.string(), profile: z.object({ name: z.string().optional() }).optional() })).optional(),
  // Each entry parsed on its own below, so one odd message does not hide the others.
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
}).passthrough();

export const webhookSchema = z.object({
  object: z.string(),
  entry: z.array(z.object({
    id: z.string().optional(),
    changes: z.array(z.object({ field: z.string(), value: z.unknown() })).default([]),
  })),
});

export interface WebhookItems {
  messages: { phoneNumberId: string; name: string | undefined; message: CloudMessage }[];
  statuses: { phoneNumberId: string; status: CloudStatus }[];
  /** Entries we could not read (logged, never fatal: Meta would redeliver the whole batch forever). */
  skipped: number;
}

/** Flattens a webhook body into its messages and delivery statuses; other fields (groups, templates…) are ignored. */
export function webhookItems(body: z.infer<typeof webhookSchema>): WebhookItems {
  const out: WebhookItems = { messages: [], statuses: [], skipped: 0 };
  for (const entry of body.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const value = valueSchema.safeParse(change.value);
      if (!value.success) {
        out.skipped += 1;
        continue;
      }
      const v = value.data;
      const names = new Map((v.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
      for (const raw of v.messages ?? []) {
        const m = inboundMessageSchema.safeParse(raw);
        if (m.success) out.messages.push({ phoneNumberId: v.metadata.phone_number_id, name: names.get(m.data.from), message: m.data });
        else out.skipped += 1;
      }
      for (const raw of v.statuses ?? []) {
        const s = statusSchema.safeParse(raw);
        if (s.success) out.statuses.push({ phoneNumberId: v.metadata.phone_number_id, status: s.data });
        else out.skipped += 1;
      }
    }
  }
  return out;
}
