import { randomUUID } from 'node:crypto';
import type { ChannelAdapter, ChannelCapabilities, ChannelHealth, ChannelHost, ConversationReference, OutboundMessage, SendContext, SendResult } from '../types.js';
import { ChannelSendError } from '../types.js';
import { MAX_TEXT } from '../whatsapp-common/compose.js';
import { REENGAGEMENT_NEEDED, toSendError, WhatsAppHealth } from './errors.js';
import { GraphClient, GraphError } from './graph-client.js';
import { HeldMessages, type HeldState } from './held.js';
import type { WhatsAppRuntime } from './intake.js';
import { outboundMediaType, uploadMedia } from './media.js';
import { mediaBody, messageBodies, templateBody } from './outbound.js';
import { parseWhatsAppSettings, templateLanguage, type WhatsAppSettings } from './settings.js';
import { decodeWhatsAppThreadKey, encodeWhatsAppThreadKey, parseWhatsAppReference, type WhatsAppReference } from './thread-key.js';
import { webhookRouter } from './webhook.js';
import { windowOpen } from './window.js';

export { WHATSAPP_SETTING_KEYS } from './settings.js';

export interface WhatsAppOptions {
  /** The clock the 24-hour window is judged by (tests move it). */
  now?: () => Date;
}

type SendResponse = { messages?: { id: string }[] };

/**
 * WhatsApp through Meta's Cloud API: a signed webhook in (`/api/whatsapp/webhook`), raw Graph HTTP out.
 * Free-form messages go out only inside the 24-hour customer-service window; outside it the notice goes as an
 * approved template and the text waits in the channel state until the reporter writes (see README.md).
 */
export class WhatsAppAdapter implements ChannelAdapter {
  readonly name = 'whatsapp';
  readonly capabilities: ChannelCapabilities = {
    buttons: true, // reply buttons and lists; more than ten options become numbered text
    threads: false,
    edit: false,
    attachments: true,
    maxTextLength: MAX_TEXT,
    markup: 'markdown',
  };
  /**
   * Housekeeping may drop the once-only markers of polite answers after Meta's redelivery period (7 days) and
   * stale send leases. Held messages (`held:`) are never dropped: they wait for the reporter however long.
   */
  readonly retention = { ephemeralState: [{ prefix: 'polite:', maxAgeDays: 8 }, { prefix: 'send:', maxAgeDays: 1 }] };

  readonly graph: GraphClient;
  private host_: ChannelHost | undefined;
  private held_: HeldMessages | undefined;
  private health_: WhatsAppHealth | undefined;
  private readonly now: () => Date;

  constructor(readonly settings: WhatsAppSettings, options: WhatsAppOptions = {}) {
    this.graph = new GraphClient({ apiUrl: settings.apiUrl, apiVersion: settings.apiVersion, accessToken: settings.accessToken });
    this.now = options.now ?? (() => new Date());
  }

  async start(host: ChannelHost): Promise<void> {
    this.host_ = host;
    this.health_ = new WhatsAppHealth(host.logger);
    this.held_ = new HeldMessages(host, `whatsapp-${randomUUID()}`);
    host.mount('/api/whatsapp/webhook', webhookRouter(this.runtime()));
  }

  async stop(): Promise<void> {}

  encodeThreadKey(reference: ConversationReference): string {
    return encodeWhatsAppThreadKey(parseWhatsAppReference(reference));
  }

  decodeThreadKey(threadKey: string): Partial<ConversationReference> {
    return { ...decodeWhatsAppThreadKey(threadKey) };
  }

  async health(): Promise<ChannelHealth> {
    if (!this.health_) return { ok: false, detail: 'not started' };
    if (!this.health_.ok) return { ok: false, detail: this.health_.detail };
    return { ok: true, detail: `${this.settings.phoneNumberIds.length} phone number(s)` };
  }

  /**
   * Inside the window: anything held goes first, then the message. Outside it (or when Meta says so with
   * 131047): the message is held and the reporter nudged with the notice's template.
   */
  async send(stored: ConversationReference, message: OutboundMessage, context: SendContext): Promise<SendResult> {
    const { held } = this.started();
    const reference = parseWhatsAppReference(stored);
    const result = await held.exclusive(context.conversationId, async () => {
      const state = await held.load(context.conversationId);
      const done = state.delivered.find((d) => d.key === context.idempotencyKey);
      if (done) return { externalId: done.externalId ?? undefined };
      if (await this.inWindow(context.conversationId)) {
        try {
          await this.flush(context.conversationId, state);
          const again = state.delivered.find((d) => d.key === context.idempotencyKey);
          if (again) return { externalId: again.externalId ?? undefined };
          return await this.deliver(reference, message, context.conversationId);
        } catch (err) {
          if (!(err instanceof GraphError && err.code === REENGAGEMENT_NEEDED)) throw toSendError(err, this.started().health);
        }
      }
      return this.hold(reference, message, context, state);
    });
    if (result === 'busy') throw new ChannelSendError('WhatsApp: another send to this conversation is in progress', { retryable: true, retryAfterMs: 1_000 });
    return result;
  }

  private async inWindow(conversationId: string): Promise<boolean> {
    return windowOpen(await this.started().host.conversations.lastInboundAt(conversationId), this.now());
  }

  private async hold(reference: WhatsAppReference, message: OutboundMessage, context: SendContext, state: HeldState): Promise<SendResult> {
    const { held, host, health } = this.started();
    if (!state.items.some((i) => i.key === context.idempotencyKey)) {
      state.items.push({ key: context.idempotencyKey, reference, message, heldAt: this.now().toISOString() });
    }
    const kind = message.notice ?? (message.author.kind === 'agent' ? 'reply' : 'status');
    const template = this.settings.templates.get(kind);
    if (!template) {
      await held.save(context.conversationId, state);
      host.logger.warn({ conversationId: context.conversationId, kind }, 'WhatsApp message held: outside the 24-hour window and no template configured');
      await this.tellAgent(message, context, 'held', kind);
      throw new ChannelSendError(`held: outside WhatsApp's 24-hour window and no template for "${kind}" in WHATSAPP_TEMPLATES; it is delivered when the reporter writes again`, { retryable: false });
    }
    if (state.templates.includes(kind)) {
      await held.save(context.conversationId, state); // the reporter has this nudge already
      await this.tellAgent(message, context, 'already', template.name);
      return {};
    }
    try {
      const language = templateLanguage(template, await host.conversations.locale(context.conversationId));
      const res = await this.graph.postJson<SendResponse>(`${reference.phoneNumberId}/messages`, templateBody(reference.waId, template, message.incidentNumber, language));
      state.templates.push(kind);
      await held.save(context.conversationId, state);
      health.cleared();
      await this.tellAgent(message, context, 'template', template.name);
      return { externalId: res.messages?.[0]?.id };
    } catch (err) {
      await held.save(context.conversationId, state); // held either way; the retry sends the template
      throw toSendError(err, health);
    }
  }

  /**
   * An agent's reply that cannot go out as text is not silently parked: an internal note on the incident says so,
   * and every agent channel shows it where the agent works (the Slack/Teams card thread). Once per message.
   */
  private async tellAgent(message: OutboundMessage, context: SendContext, how: 'template' | 'already' | 'held', template: string): Promise<void> {
    if (message.author.kind !== 'agent' || !message.incidentNumber) return;
    const { host } = this.started();
    const text = how === 'template'
      ? `outside WhatsApp's 24-h window: sent the '${template}' template, the text follows when the customer answers`
      : how === 'already'
        ? `outside WhatsApp's 24-h window: the customer has the '${template}' template already, the text follows when they answer`
        : `outside WhatsApp's 24-h window and no '${template}' template configured (WHATSAPP_TEMPLATES): the text is held until the customer writes again`;
    await host.incidents
      .comment(message.incidentNumber, { text, author: 'WhatsApp', internal: true, eventId: `window-notice:${context.idempotencyKey}` })
      .catch((err: unknown) => host.logger.warn({ err, incident: message.incidentNumber }, 'could not tell the agent that the WhatsApp reply is held'));
  }

  /** Sends what was held, oldest first; each one is recorded as delivered at once, so a failure resumes there. */
  private async flush(conversationId: string, state: HeldState): Promise<void> {
    const { held } = this.started();
    if (state.items.length === 0 && state.templates.length === 0) return;
    while (state.items.length > 0) {
      const item = state.items[0]!;
      const sent = await this.deliver(item.reference, item.message, conversationId);
      state.items.shift();
      state.delivered.push({ key: item.key, externalId: sent.externalId ?? null });
      await held.save(conversationId, state);
    }
    state.templates = [];
    await held.save(conversationId, state);
  }

  /** Called after the reporter's message committed: the window is open again. */
  async flushHeld(conversationId: string): Promise<void> {
    const { held } = this.started();
    await held.exclusive(conversationId, async () => {
      const state = await held.load(conversationId);
      if (state.items.length === 0 && state.templates.length === 0) return;
      if (!(await this.inWindow(conversationId))) return;
      await this.flush(conversationId, state);
    });
  }

  /** Free-form delivery: text parts or an interactive message, then files. Returns the first message's wamid. */
  private async deliver(reference: WhatsAppReference, message: OutboundMessage, conversationId: string): Promise<SendResult> {
    const { health } = this.started();
    const files = await this.outboundFiles(reference, message, conversationId);
    const text = files.skipped.length ? { ...message, text: `${message.text}\n\n(${files.skipped.join(', ')}: too large to send here)` } : message;
    let first: string | undefined;
    for (const body of messageBodies(reference.waId, text)) {
      const res = await this.graph.postJson<SendResponse>(`${reference.phoneNumberId}/messages`, body);
      first ??= res.messages?.[0]?.id;
    }
    for (const body of files.bodies) await this.graph.postJson<SendResponse>(`${reference.phoneNumberId}/messages`, body);
    health.cleared();
    return { externalId: first };
  }

  /** Agents' files: read from our store, uploaded to Meta, sent as image or document. */
  private async outboundFiles(reference: WhatsAppReference, message: OutboundMessage, conversationId: string): Promise<{ bodies: Record<string, unknown>[]; skipped: string[] }> {
    const { host } = this.started();
    const bodies: Record<string, unknown>[] = [];
    const skipped: string[] = [];
    for (const a of message.attachments ?? []) {
      if (a.size > this.settings.maxAttachmentBytes) {
        skipped.push(a.filename);
        continue;
      }
      const file = a.id ? await host.readAttachment(conversationId, a.id) : undefined;
      if (!file) {
        skipped.push(a.filename);
        continue;
      }
      const id = await uploadMedia(this.graph, reference.phoneNumberId, { filename: a.filename, contentType: a.contentType, data: file.data });
      bodies.push(mediaBody(reference.waId, outboundMediaType(a.contentType), id, a.filename));
    }
    return { bodies, skipped };
  }

  private runtime(): WhatsAppRuntime {
    const { host } = this.started();
    return {
      host,
      graph: this.graph,
      settings: this.settings,
      sendText: async (reference, text) => {
        await this.graph.postJson(`${reference.phoneNumberId}/messages`, messageBodies(reference.waId, { text, author: { kind: 'bot' } })[0]);
      },
      flushHeld: (conversationId) => this.flushHeld(conversationId),
    };
  }

  private started() {
    if (!this.host_ || !this.held_ || !this.health_) throw new Error('the WhatsApp channel is not started');
    return { host: this.host_, held: this.held_, health: this.health_ };
  }
}

/** The WhatsApp channel when WHATSAPP_ACCESS_TOKEN is set; throws on invalid WhatsApp settings. */
export function whatsappFromEnv(env: Record<string, string | undefined>, options: WhatsAppOptions = {}): WhatsAppAdapter | undefined {
  if (!env.WHATSAPP_ACCESS_TOKEN) return undefined;
  return new WhatsAppAdapter(parseWhatsAppSettings(env), options);
}

export type { WhatsAppSettings };
