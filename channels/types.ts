import type { ChannelHost } from './host.js';

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
  /**
   * False where answers arrive minutes or hours apart (email): the dialog files a report that says enough at
   * once instead of asking. Default true.
   */
  readonly conversational?: boolean;
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
  /**
   * For channels that thread by content as well (email: same sender + same subject), the key a later event finds
   * this conversation by with `conversations.findRecentByMatchKeys`. Kept from the conversation's first event.
   */
  matchKey?: string;
  user: InboundUser;
  /** What the reporter wrote (already stripped of quoted history, signatures, mentions). */
  text?: string;
  /** Id of a quick-reply choice the reporter picked. */
  choice?: string;
  /**
   * Values the reporter edited in a form offered with the message they answer (see {@link OutboundMessage.form}),
   * by field name; sent together with the confirming `choice`.
   */
  fields?: Record<string, string>;
  attachments?: AttachmentRef[];
  /** Locale the platform reports, if any (e.g. `sv-SE`). */
  locale?: string;
  /** Platform timestamp of the event. */
  occurredAt?: Date;
  /**
   * A digest of the request that carried the event, for events keyed by a client's Idempotency-Key: a later
   * event under the same `eventId` with another fingerprint is reported as a conflict, not a duplicate.
   */
  fingerprint?: string;
  /**
   * A hint that the adapter believes this event starts a new conversation, so the pipeline skips its fast path
   * (which only serves known conversations). Wrong hints cost time, never correctness.
   */
  newThread?: boolean;
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
  /**
   * Which reporter notice this is, for channels that must send some of them in a pre-approved form (WhatsApp
   * templates outside its 24-hour window). Absent on dialog replies.
   */
  notice?: NoticeKind;
  /**
   * The values a confirmation question asks about (e.g. the report summary). Channels with forms (a Slack
   * modal) may let the reporter edit them; the answer is the confirming choice plus {@link InboundMessage.fields}.
   */
  form?: ConfirmForm;
  /** [major] A major incident candidate card: channels with buttons offer "Declare" for this number (MI-3). */
  declareMajorIncident?: string;
  /**
   * [llm] Text the optional LLM layer translates at send time (outside any transaction, src/llm/translate.ts);
   * channels ignore it. Without the layer, or when the model fails, the message goes out as queued.
   */
  translate?: TranslateHint;
}

export interface TranslateHint {
  incidentId: string;
  /** `agent`: into AGENT_LANGUAGE, the translation added below; `reporter`: into the reporter's language, the original below. */
  to: 'agent' | 'reporter';
  /** The part of `text` to translate (the reporter's or agent's words, not our frame around them). */
  source: string;
  /** The message exists only to show the translation: dropped when there is none. */
  onlyTranslation?: boolean;
}

/** Reporter notices about an incident: a status change, an agent's reply, the resolution, a reminder. */
export type NoticeKind = 'status' | 'reply' | 'resolved' | 'reminder';

export interface ConfirmForm {
  /** The choice that confirms (sent with the edited fields). */
  confirmChoice: string;
  fields: FormField[];
}

export interface FormField {
  name: string;
  label: string;
  /** Current value: text, or the id of one of `options`. */
  value: string;
  options?: Choice[];
  multiline?: boolean;
  minLength?: number;
  maxLength?: number;
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
  /**
   * The person cannot be reached in this conversation any more (the bot was removed from the chat, the number
   * blocks us): a notice to them falls back to another channel they have (see outbox/fallback.ts).
   */
  readonly unreachable: boolean;
  constructor(message: string, options: { retryable: boolean; retryAfterMs?: number; unreachable?: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'ChannelSendError';
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.unreachable = options.unreachable ?? false;
  }
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
  /**
   * Edits a message sent earlier, where the platform allows it (`capabilities.edit`). Without it, queued edits
   * are delivered as new messages.
   */
  update?(reference: Ref, externalId: string, message: OutboundMessage, context: SendContext): Promise<SendResult | void>;
  /** Reported by `/readyz`: credentials valid, connection up. */
  health(): Promise<ChannelHealth>;
  /**
   * A new conversation that only we start, to a person's address on this channel (an email address), for a
   * notice that could not reach them where they reported (see {@link ChannelSendError.unreachable}). Channels
   * that cannot write first leave it out.
   */
  startConversation?(address: string, context: { incidentNumber: string; title: string }): { threadKey: string; reference: Ref };
  /**
   * Where this channel's operators read by default (Slack: the triage channel): the `startConversation` address
   * an operator alert goes to when its sender names no targets. Channels without such a place leave it out.
   */
  operatorAlertAddress?(): string | undefined;
  /**
   * What the daily housekeeping may delete for this channel. `keepInboundEvents`: the channel's dedupe keys
   * must live as long as the platform may redeliver (email re-scans a mailbox by Message-ID after a
   * UIDVALIDITY change), so they are never pruned. `ephemeralState`: channel-state keys by prefix that are
   * dropped once not written for `maxAgeDays` (e.g. Slack's editable-summary forms).
   */
  readonly retention?: { keepInboundEvents?: boolean; ephemeralState?: { prefix: string; maxAgeDays: number }[] };
}

export type * from './host.js';
