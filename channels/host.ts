import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { AttachmentRef, Choice, ConversationReference, InboundMessage, JsonValue, OutboundMessage } from './types.js';

/**
 * The host side of the channel port: what the core offers an adapter (intake, transcripts, incidents, outbox,
 * agent actions). Re-exported by `types.ts`, which adapters import.
 */

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

export interface ConversationMatch {
  conversationId: string;
  threadKey: string;
  reference: ConversationReference;
  /** Channel user id of the reporter who owns the conversation. */
  reporterExternalId: string | null;
}

/** An incident as channels show it (triage cards, App Home, status replies). */
export interface IncidentView {
  id: string;
  /** `INC-000042`. */
  number: string;
  title: string;
  description: string;
  category: string | null;
  service: string | null;
  priority: string;
  impact: number;
  urgency: number;
  status: string;
  tier: string;
  assignee: string | null;
  assignmentGroup: string | null;
  confidential: boolean;
  /** `request` for a service request (access, hardware, an install); absent or `incident` otherwise. */
  type?: 'incident' | 'request';
  resolution: string | null;
  reporter: { id: string; name: string | null; email: string | null };
  /** Channel of the conversation the incident came from (`webchat`, `slack`, `email`…). */
  originChannel: string | null;
  responseDueAt: Date | null;
  resolutionDueAt: Date | null;
  createdAt: Date;
}

export interface IncidentChangeEvent {
  incident: IncidentView;
  kind: 'created' | 'updated' | 'reply' | 'note' | 'reporter_message';
  /** `bot`, `reporter`, `api:<token name>`, `slack:<agent>`… */
  actor: string;
  changes?: Record<string, { from: unknown; to: unknown }>;
  text?: string;
  /** Files that came with a `reporter_message` (stored in the incident's origin conversation). */
  attachments?: AttachmentRef[];
}

/** Writes outbound work inside the transaction of the change being observed: it commits with it or not at all. */
export interface OutboxWriter {
  /**
   * Queues a message into a service-desk thread that is not a reporter conversation (e.g. a triage channel
   * or a card's thread). The thread is created on first use. Returns our message id.
   */
  post(target: { channel: string; threadKey: string; reference: ConversationReference }, message: OutboundMessage, options?: { idempotencyKey?: string }): Promise<string>;
  /** Queues an in-place edit of a message queued earlier by `post` (by our message id), e.g. a card update. */
  edit(messageId: string, message: OutboundMessage): Promise<void>;
  /** Small per-incident values a channel keeps, e.g. the message id of its triage card. */
  getLink(incidentId: string, key: string): Promise<string | undefined>;
  setLink(incidentId: string, key: string, value: string): Promise<void>;
  /** The platform id of a message once delivered (e.g. a Slack `ts`), or undefined while still queued. */
  externalIdOf(messageId: string): Promise<string | undefined>;
}

export interface IncidentPatchInput {
  status?: 'new' | 'assigned' | 'in_progress' | 'pending' | 'resolved' | 'closed' | 'reopened' | 'cancelled';
  priority?: 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
  impact?: number;
  urgency?: number;
  assignee?: string | null;
  assignmentGroup?: string | null;
  tier?: 'L1' | 'L2' | 'L3';
  resolution?: string;
  /** Corrections of how the incident was filed; category, service and group must exist in the taxonomy. */
  category?: string | null;
  service?: string | null;
  confidential?: boolean;
  title?: string;
  description?: string;
}

/**
 * What agents do from a channel (Slack buttons, thread replies, commands). Each call is one transaction.
 * With `eventId`, the platform event is recorded in the same transaction (the inbound-event table, unique per
 * channel): a redelivery to any instance, before or after a restart, changes nothing and returns the incident.
 */
export interface AgentActions {
  get(ref: string): Promise<IncidentView | undefined>;
  /** Public reply (relayed to the reporter on their channel) or internal note. */
  comment(ref: string, input: { text: string; author: string; internal: boolean; idempotencyKey?: string; attachments?: AttachmentRef[]; eventId?: string }): Promise<IncidentView>;
  /** Throws a FrontlineError with code INVALID_TRANSITION for a status change the lifecycle forbids. */
  update(ref: string, patch: IncidentPatchInput, actor: string, options?: { eventId?: string }): Promise<IncidentView>;
  /** Whether an agent-side platform event (the `eventId` of `comment`/`update`) has taken effect already. */
  handled(eventId: string): Promise<boolean>;
  /** Incidents reported by the person behind a channel account, newest first (e.g. Slack App Home). */
  listForReporter(channel: string, externalUserId: string, options?: { openOnly?: boolean; limit?: number }): Promise<IncidentView[]>;
}

/** The person behind a reporter conversation, as agents see them. */
export interface ReporterDetails {
  name: string | null;
  email: string | null;
  /** The email was vouched for (a platform, a signed identity); a typed one is shown but links nobody. */
  emailVerified: boolean;
  /** The newest incident filed from the conversation (`INC-000042`), if any. */
  incidentNumber: string | null;
}

export interface ReporterDetailsInput {
  displayName?: string;
  email?: string;
}

/** What the core offers an adapter when it starts. */
export interface ChannelHost {
  /**
   * Hands an inbound event to the intake pipeline. Resolves once it is durably recorded and its effects are
   * committed; a redelivered event resolves with `duplicate: true` and has no effect.
   */
  receive(message: InboundMessage): Promise<ReceiveResult>;
  /**
   * Many inbound events at once, e.g. a fetched batch of mail: the same effects as `receive` for each, in order
   * per thread, with one transaction and a few statements for the whole batch where the core can (group commit).
   * Results are in the order given. Events of one thread may be included; they are handled one after the other.
   */
  receiveMany(messages: InboundMessage[]): Promise<ReceiveResult[]>;
  /** Opens a conversation before the reporter writes (a web chat page), queueing the greeting. Idempotent. */
  open(conversation: Omit<InboundMessage, 'eventId' | 'text' | 'choice' | 'attachments' | 'occurredAt'>): Promise<{ conversationId: string }>;
  /**
   * Delivered messages of a conversation after `cursor`, in order. The returned cursor only moves past a
   * message once everything before it is visible, so polling never skips a late delivery.
   */
  transcript(conversationId: string, cursor?: number): Promise<{ messages: TranscriptMessage[]; cursor: number }>;
  /**
   * Of these conversations, those holding any message after the given cursor: one query for every open stream
   * of an instance, so idle streams cost nothing per stream (their transcripts are read only when this says so).
   */
  changedSince(cursors: readonly { conversationId: string; cursor: number }[]): Promise<Set<string>>;
  /** Stores a file the reporter sent; enforces nothing (the adapter checks its own limits first). */
  storeAttachment(conversationId: string, file: { filename: string; contentType: string; data: Buffer }): Promise<AttachmentRef & { id: string }>;
  readAttachment(conversationId: string, attachmentId: string): Promise<{ ref: AttachmentRef; data: Buffer } | undefined>;
  /** Subscribes to local deliveries (to push them to open streams); returns the unsubscribe function. */
  onDelivered(listener: (conversationId: string) => void): () => void;
  /** Durable per-channel values (checkpoints, cursors) shared by every instance. */
  state: {
    get<T extends JsonValue>(key: string): Promise<T | undefined>;
    set(key: string, value: JsonValue): Promise<void>;
    /**
     * Takes or renews the lease `key` for `holder` for `ttlMs` (database clock) when it is free, expired or
     * already `holder`'s; true when `holder` has it. For work one instance should do at a time (reading a mailbox).
     */
    lease(key: string, holder: string, ttlMs: number): Promise<boolean>;
    /** Gives the lease up, if `holder` has it, so another instance can take it at once. */
    release(key: string, holder: string): Promise<void>;
  };
  /** Lookups for channels that must thread by their own signals (e.g. email headers). */
  conversations: {
    /** The conversation of this channel holding a message with one of these platform ids (in or out). */
    findByMessageExternalIds(channel: string, externalIds: string[]): Promise<ConversationMatch | undefined>;
    /** The conversation an incident was reported from, by number (42 or INC-000042). */
    findByIncidentNumber(channel: string, number: number): Promise<ConversationMatch | undefined>;
    /**
     * The batch forms, one query for many mails. By id: the same conversation `findByMessageExternalIds` gives
     * for `[id]` alone (a reporter conversation; the newest message wins); ids without one are absent.
     */
    findManyByMessageExternalIds(channel: string, externalIds: string[]): Promise<Map<string, ConversationMatch>>;
    /** By incident number; numbers without a conversation of this channel are absent. */
    findManyByIncidentNumbers(channel: string, numbers: number[]): Promise<Map<number, ConversationMatch>>;
    /** For each query, the newest conversation of this channel opened with that `matchKey`, active since `since`. */
    findRecentByMatchKeys(channel: string, queries: { key: string; since: Date }[]): Promise<(ConversationMatch | undefined)[]>;
    /**
     * The options of the last bot message each conversation's reporter has received (delivered), for channels
     * where an answer comes back as text ("1", "yes"). A conversation whose last delivered bot message asked
     * nothing is absent.
     */
    lastDeliveredChoices(conversationIds: string[]): Promise<Map<string, Choice[]>>;
    /**
     * When the reporter last wrote in the conversation (the newest inbound message, read from the database so
     * every instance agrees), e.g. for WhatsApp's 24-hour customer-service window. Undefined if never.
     */
    lastInboundAt(conversationId: string): Promise<Date | undefined>;
    /** The conversation's language as the dialog settled it (e.g. `sv`), for messages written outside the dialog. */
    locale(conversationId: string): Promise<string | undefined>;
  };
  /** Per-address delivery status of a person's channel account (e.g. an email address whose mail bounced). */
  deliveries: {
    get(channel: string, address: string): Promise<DeliveryStatus | undefined>;
    /** Marks the address as failing; false when no person has this address on the channel. */
    markFailing(channel: string, address: string, failure: { status?: string; reason?: string }): Promise<boolean>;
    /** The address works again (the person wrote, or a later mail was accepted). */
    clear(channel: string, address: string): Promise<void>;
    /** `clear` for many addresses in one statement. */
    clearMany(channel: string, addresses: string[]): Promise<void>;
    /**
     * The platform reported, after accepting it, that the message it knows as `externalId` (the `SendResult`
     * id) was not delivered (e.g. a WhatsApp `failed` status): its outbox row becomes a dead letter carrying
     * `reason`, visible at `GET /api/v1/admin/outbox`. False when no sent message has that id.
     */
    messageFailed(channel: string, externalId: string, reason: string): Promise<boolean>;
    /**
     * The platform confirmed a sent message (`SendResult` id) as `delivered` or `read` at `at`: stored on the
     * message; a status never moves back (a late `delivered` after `read` changes nothing). False when unknown.
     */
    messageStatus(channel: string, externalId: string, status: 'delivered' | 'read', at: Date): Promise<boolean>;
  };
  /** Agent-side incident actions (for channels that are also the agents' workspace). */
  incidents: AgentActions;
  /**
   * Name and email of a conversation's reporter, for channels where people may stay anonymous (web chat).
   * `update` stores what the reporter typed (unverified: shown to agents, used to reach them, never to link
   * people), tells agents with an internal note on the open incident, and refuses to replace a verified email.
   */
  reporters: {
    describe(conversationId: string): Promise<ReporterDetails>;
    update(conversationId: string, details: ReporterDetailsInput): Promise<ReporterDetails>;
  };
  /** The agent override table (display name, email, active flag per channel account), edited by operators. */
  agents: {
    /** The first entry of this channel matching one of `keys` (user id, email), in the order given. */
    find(channel: string, keys: string[]): Promise<AgentOverrideView | undefined>;
  };
  /**
   * Observes every incident change inside its transaction; whatever the listener queues through `outbox`
   * commits with the change (e.g. post or update a triage card, mirror a reporter's message into its thread).
   */
  onIncidentChange(listener: (change: IncidentChangeEvent, outbox: OutboxWriter) => Promise<void>): void;
  /**
   * Durable per-channel binary values shared by every instance, too large for `state` (e.g. the whatsapp-web.js
   * session archive). Keys are the channel's own.
   */
  blobs: {
    get(key: string): Promise<Buffer | undefined>;
    set(key: string, data: Buffer): Promise<void>;
    delete(key: string): Promise<void>;
  };
  /**
   * Queues an alert for the service desk's operators (a channel needs a person, e.g. a new QR scan) through the
   * outbox, once per `key`: to each `channel:address` target (e.g. `email:ops@example.com`) on a running channel
   * that can start a conversation. Resolves with the targets it was queued for.
   */
  alertOperators(alert: OperatorAlert): Promise<string[]>;
  /** Mounts the adapter's HTTP routes (webhooks, widget assets) under the shared server. */
  mount(path: string, handler: RequestHandler | Router): void;
  logger: Logger;
  /**
   * [major] Major-incident changes (a candidate raised, declared…), observed inside their transaction like
   * incident changes; optional, so hosts without major incidents (tools, tests) need not provide it.
   */
  onMajorIncidentChange?(listener: (change: MajorIncidentChangeEvent, outbox: OutboxWriter) => Promise<void>): void;
  /** [major] Agent actions on major incidents (by MI number); the actor is e.g. `slack:<name>`. */
  majorIncidents?: {
    declare(ref: string, actor: string): Promise<{ number: string; status: string }>;
    /** Links an incident (INC number) to a major incident; `unlink` takes it out; `merge` moves all children. */
    link(ref: string, incident: string, actor: string): Promise<void>;
    unlink(incident: string, actor: string): Promise<void>;
    merge(from: string, into: string, actor: string): Promise<void>;
  };
}

/** [major] What a channel is told about a major incident change. */
export interface MajorIncidentChangeEvent {
  id: string;
  number: string;
  title: string;
  service: string;
  status: string;
  restricted: boolean;
  incidentCount: number;
  kind: string;
  actor: string;
  reason?: string;
}

/** An operator alert; `key` makes it once-only (a repeated call with the same key queues nothing). */
export interface OperatorAlert {
  key: string;
  title: string;
  text: string;
  /**
   * `channel:address` targets, e.g. `email:ops@example.com` or `slack:C0123ABCD`. Empty: every running channel's
   * `operatorAlertAddress()` (the Slack triage channel), so an unconfigured alert still reaches someone.
   */
  to: readonly string[];
}

/** A failing address: since when, the last failure (enhanced status such as `5.1.1`, diagnostic text) and how often. */
export interface DeliveryStatus {
  failingSince: Date;
  lastBounceAt: Date;
  status: string | null;
  reason: string | null;
  count: number;
  /** A permanent failure (5.x.x): nothing more is sent to the address until it is cleared. */
  hard: boolean;
}

export interface AgentOverrideView {
  key: string;
  displayName: string | null;
  email: string | null;
  /** false: refused even when a configured agent group includes the account. */
  active: boolean;
}

export interface ReceiveResult {
  duplicate: boolean;
  conversationId: string;
  /** The stored message; for a duplicate of an event with a `fingerprint`, the message the first one stored. */
  messageId?: string;
  /** A duplicate whose `fingerprint` differs from the first event's: the same key reused for another request. */
  conflict?: boolean;
}
