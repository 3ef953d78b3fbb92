/**
 * The channel port: one interface every adapter (web chat, Slack, Teams, WhatsApp, email, terminal) implements.
 * Everything vendor-specific lives in `channels/<name>/`; the core only sees the shapes below.
 *
 * Thread keys are strings prefixed by the channel name, e.g. `slack:T1:C1:1712.33`, `email:<root-id@host>`,
 * `webchat:6f1c…`. They identify a conversation; the JSON {@link ConversationReference} carries whatever else
 * the adapter needs to post into it later (the `continueConversation` pattern).
 */

/** What a channel can render. The dialog layer adapts (e.g. numbered options when there are no buttons). */
export interface ChannelCapabilities {
  /** Quick-reply buttons; without them choices are rendered as numbered options answered by number or word. */
  readonly buttons: boolean;
  /** Replies can be kept in a thread under an original message. */
  readonly threads: boolean;
  /** A sent message can be edited in place (see {@link ChannelAdapter.update}). */
  readonly edit: boolean;
  /** Files can be sent and received. */
  readonly attachments: boolean;
  /** Longest text one message may carry; longer text is split by the caller. */
  readonly maxTextLength: number;
  /** Markup the channel renders; the core writes plain text with light markdown. */
  readonly markup: 'plain' | 'markdown' | 'slack-mrkdwn' | 'html';
}

/** JSON-serialisable data an adapter needs to post into a conversation later (stored on the conversation). */
export type ConversationReference = { readonly [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A file as metadata; the bytes live in the attachment store or at the platform. */
export interface AttachmentRef {
  /** Our attachment id once stored. */
  id?: string;
  filename: string;
  contentType: string;
  size: number;
  /** Where a client can fetch it (our URL, or the platform's). */
  url?: string;
}

/** The person behind an inbound event, as the platform identifies them. */
export interface InboundUser {
  /** Stable id on the channel: Slack user id, email address, WhatsApp number, web chat visitor id. */
  externalId: string;
  displayName?: string;
  email?: string;
  /** True when the platform vouches for `email` (Slack, Teams): only then is the person linked across channels. */
  emailVerified?: boolean;
  locale?: string;
}

/** One inbound platform event in the shape the intake pipeline understands. */
export interface InboundMessage {
  /** Adapter name, e.g. `webchat`. */
  channel: string;
  /** Unique per channel and identical on redelivery (Slack event_id, Message-ID, WhatsApp wamid…). */
  eventId: string;
  /** Conversation key, prefixed by the channel name. */
  threadKey: string;
  /** How to post back into this conversation; stored on first sight and refreshed on later events. */
  reference: ConversationReference;
  user: InboundUser;
  /** What the reporter wrote (already stripped of quoted history, signatures, mentions). */
  text?: string;
  /** Id of a quick-reply choice the reporter picked. */
  choice?: string;
  attachments?: AttachmentRef[];
  /** Locale the platform reports, if any (e.g. `sv-SE`). */
  locale?: string;
  /** Platform timestamp of the event. */
  occurredAt?: Date;
}

export interface Choice {
  id: string;
  label: string;
}

/** Who speaks in an outbound message. */
export type Author = { kind: 'bot' } | { kind: 'agent'; name: string } | { kind: 'system' };

/** One outbound message, rendered by the adapter in its own format. */
export interface OutboundMessage {
  text: string;
  choices?: Choice[];
  attachments?: AttachmentRef[];
  author: Author;
  /** Our message id (the web chat shows it; others may use it as a client message id). */
  messageId?: string;
  /** Incident the message is about, for subject tokens (`[INC-000123]`) and cards. */
  incidentNumber?: string;
}

export interface SendContext {
  /** Stable across retries of the same outbox row: pass it to platforms that deduplicate. */
  idempotencyKey: string;
  conversationId: string;
  /** 1 on the first try. */
  attempt: number;
}

export interface SendResult {
  /** The platform's id for the sent message (Slack ts, email Message-ID, WhatsApp wamid…). */
  externalId?: string;
}

/** Health as reported by `/readyz`. */
export interface ChannelHealth {
  ok: boolean;
  detail?: string;
}

/**
 * Thrown by {@link ChannelAdapter.send}. `retryable` failures are retried with exponential backoff (or after
 * `retryAfterMs` when the platform says so, e.g. HTTP 429 Retry-After); others go straight to the dead-letter
 * state, visible in the API.
 */
export class ChannelSendError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { retryable: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'ChannelSendError';
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** One message of a conversation's transcript, as the core stores it. */
export interface TranscriptMessage {
  id: string;
  /** Position in the database-wide message sequence; used as a cursor. */
  seq: number;
  direction: 'in' | 'out';
  /** `reporter`, `bot`, `system`, or `agent:<display name>`. */
  author: string;
  text: string;
  choices?: Choice[];
  attachments?: AttachmentRef[];
  createdAt: Date;
}

/** What the core offers an adapter when it starts. */
export interface ChannelHost {
  /**
   * Hands an inbound event to the intake pipeline. Resolves once it is durably recorded and its effects are
   * committed; a redelivered event resolves with `duplicate: true` and has no effect.
   */
  receive(message: InboundMessage): Promise<ReceiveResult>;
  /** Opens a conversation before the reporter writes (a web chat page), queueing the greeting. Idempotent. */
  open(conversation: Omit<InboundMessage, 'eventId' | 'text' | 'choice' | 'attachments' | 'occurredAt'>): Promise<{ conversationId: string }>;
  /**
   * Delivered messages of a conversation after `cursor`, in order. The returned cursor only moves past a
   * message once everything before it is visible, so polling never skips a late delivery.
   */
  transcript(conversationId: string, cursor?: number): Promise<{ messages: TranscriptMessage[]; cursor: number }>;
  /** Stores a file the reporter sent; enforces nothing (the adapter checks its own limits first). */
  storeAttachment(conversationId: string, file: { filename: string; contentType: string; data: Buffer }): Promise<AttachmentRef & { id: string }>;
  readAttachment(conversationId: string, attachmentId: string): Promise<{ ref: AttachmentRef; data: Buffer } | undefined>;
  /** Subscribes to local deliveries (to push them to open streams); returns the unsubscribe function. */
  onDelivered(listener: (conversationId: string) => void): () => void;
  /** Mounts the adapter's HTTP routes (webhooks, widget assets) under the shared server. */
  mount(path: string, handler: import('express').RequestHandler | import('express').Router): void;
  logger: import('pino').Logger;
}

export interface ReceiveResult {
  duplicate: boolean;
  conversationId: string;
  messageId?: string;
}

export interface ChannelAdapter<Ref extends ConversationReference = ConversationReference> {
  /** Unique, lowercase; the prefix of every thread key this adapter produces. */
  readonly name: string;
  readonly capabilities: ChannelCapabilities;
  /** Starts receiving (mount webhooks, connect sockets, start IMAP IDLE…). */
  start(host: ChannelHost): Promise<void>;
  /** Stops receiving and releases connections; in-flight sends may finish. */
  stop(): Promise<void>;
  /** The thread key for a reference; `decodeThreadKey(encodeThreadKey(r))` keeps what identifies the thread. */
  encodeThreadKey(reference: Ref): string;
  /** Parses a thread key of this channel; throws on a key of another channel or a malformed one. */
  decodeThreadKey(threadKey: string): Partial<Ref>;
  /** Delivers one message into a conversation. Throws {@link ChannelSendError} on failure. */
  send(reference: Ref, message: OutboundMessage, context: SendContext): Promise<SendResult>;
  /** Edits a message sent earlier, where the platform allows it (`capabilities.edit`). */
  update?(reference: Ref, externalId: string, message: OutboundMessage, context: SendContext): Promise<void>;
  /** Reported by `/readyz`: credentials valid, connection up. */
  health(): Promise<ChannelHealth>;
}
