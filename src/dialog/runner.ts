import type { NoticeKind } from '../../channels/types.js';
import type { Tx } from '../db/database.js';
import { type IncidentChange, IncidentService } from '../incidents/service.js';
import { formatIncidentNumber } from '../incidents/number.js';
import { enqueueMessage, type OutboxTarget } from '../outbox/enqueue.js';
import { DialogActions, type DialogServices } from './actions.js';
import { type Dialog, type DialogEvent, type Effect, migrateStep, start, transition } from './engine.js';
import { botReply } from './reply.js';
import { saveSession } from './session-store.js';
import { parseDialogState, type DialogState } from './state.js';

export interface ConversationContext extends OutboxTarget {
  contactId: string;
  locale: string;
  incidentId: string | null;
}

/**
 * The I/O half of the dialog engine: loads the pinned session, runs the pure `transition`, and carries out
 * its effects in the caller's transaction (replies to the outbox, incidents filed, KB searched), feeding
 * action results back until the engine waits for the reporter again.
 */
export class DialogRunner {
  private readonly actions: DialogActions;
  private readonly services: DialogServices;
  /**
   * Conversations running one of the dialog's own actions (e.g. the reporter's "cancel"), per transaction: see
   * `announces`. Per conversation, because one batch transaction carries many conversations' flows at once.
   */
  private readonly acting = new WeakMap<object, Set<string>>();

  constructor(
    private readonly dialogs: ReadonlyMap<string, Dialog>,
    private readonly defaultDialogId: string,
    services: DialogServices | IncidentService,
  ) {
    this.services = services instanceof IncidentService ? { incidents: services } : services;
    const anyDialog = [...dialogs.values()][0];
    this.actions = new DialogActions(this.services, anyDialog ? anyDialog.t : (_l, k) => k);
  }

  /** Starts a fresh session (e.g. when a web chat opens) and queues the greeting. */
  async begin(tx: Tx, conversation: ConversationContext): Promise<void> {
    const dialog = this.dialog(this.defaultDialogId);
    const [state, effects] = start(dialog, conversation.locale, this.channelData(conversation));
    const final = await this.apply(tx, dialog, conversation, state, effects);
    await this.save(tx, conversation.id, dialog, final, undefined);
  }

  /** What the definition may branch on about the channel (`channel.conversational` is false for email). */
  private channelData(conversation: ConversationContext): { channel: { name: string; conversational: boolean } } {
    const capabilities = this.services.channelCapabilities?.(conversation.channel);
    return { channel: { name: conversation.channel, conversational: capabilities?.conversational !== false } };
  }

  /**
   * Whether the reporter's dialog tells them about this status change itself, in the same transaction: the
   * change came from the dialog's own action (its reply says "I've cancelled …"), or the definition reacts to
   * the status (resolved → the CSAT question, which names the resolution). The status notice is then left out,
   * so the reporter gets one message, not two.
   */
  async announces(tx: Tx, conversationId: string, status: string): Promise<boolean> {
    if (this.acting.get(tx)?.has(conversationId)) return true;
    const session = await tx.dialogSession.findUnique({ where: { conversationId }, select: { definitionId: true, definitionVersion: true } });
    const dialog = session && this.pinned(session.definitionId, session.definitionVersion);
    return Boolean(dialog && dialog.definition.events[status]);
  }

  /** The definition a stored session is pinned to, or undefined when that version is no longer loaded. */
  pinned(definitionId: string, version: number): Dialog | undefined {
    return this.dialogs.get(versionKey(definitionId, version));
  }

  /** Runs one reporter event through the conversation's session, creating the session if there is none. */
  async handle(tx: Tx, conversation: ConversationContext, event: DialogEvent, loaded?: { session: SessionRow | undefined }): Promise<void> {
    // `loaded`: the caller read the session in the same transaction, under the conversation's row lock.
    const session = loaded ? loaded.session : await loadSession(tx, conversation.id);
    let dialog: Dialog;
    let state: DialogState;
    const pinned = session && this.pinned(session.definitionId, session.definitionVersion);
    if (session && pinned) {
      dialog = pinned;
      state = parseDialogState(session.state);
    } else if (session) {
      // Its definition version is gone: move to the current one via its `migrate` map, or restart politely.
      dialog = this.dialog(session.definitionId);
      const old = parseDialogState(session.state);
      const target = old.status === 'done' ? old.step : migrateStep(dialog.definition, old.step);
      if (target && dialog.definition.steps[target]) {
        state = { ...old, step: target, retries: 0, pendingAction: undefined, resume: undefined, resumeStatus: undefined };
      } else {
        const [fresh, greeting] = start(dialog, old.locale, this.channelData(conversation));
        const effects: Effect[] = [{ type: 'reply', text: dialog.t(old.locale, 'dialog.restarted') }, ...greeting];
        state = await this.apply(tx, dialog, conversation, { ...fresh, localeFixed: old.localeFixed }, effects);
        await this.save(tx, conversation.id, dialog, state, session.version);
        return; // the message answered a question that no longer exists; the reporter gets the new first one
      }
    } else {
      dialog = this.dialog(this.defaultDialogId);
      const channel = this.channelData(conversation);
      const [fresh, effects] = start(dialog, conversation.locale, channel);
      // A first mail already is the description: greeting it with "what's the problem?" would be a mail of its own.
      const slow = !channel.channel.conversational && event.type === 'message' && Boolean(event.text?.trim());
      state = await this.apply(tx, dialog, conversation, fresh, slow ? effects.filter((e) => e.type !== 'reply') : effects);
    }
    // Sessions started before the channel was recorded learn it now.
    if (state.data.channel === undefined) state = { ...state, data: { ...state.data, ...this.channelData(conversation) } };
    const [next, more] = transition(dialog, state, event);
    // Replies to an idle timeout are reminders: channels with pre-approved notices (WhatsApp) pick theirs by it.
    const final = await this.apply(tx, dialog, conversation, next, more, event.type === 'timeout' ? 'reminder' : undefined);
    await this.save(tx, conversation.id, dialog, final, session?.version);
  }

  /**
   * Lets the reporter's dialog react to their incident (e.g. resolved → CSAT question), inside the transaction
   * that changed it. Lock order matches the agents' writers: incident first, then the conversation.
   */
  async onIncidentChange(tx: Tx, change: IncidentChange): Promise<void> {
    const status = change.changes?.status?.to;
    const conversationId = change.incident.originConversationId;
    if (change.kind !== 'updated' || typeof status !== 'string' || !conversationId) return;
    await tx.$executeRaw`SELECT 1 FROM conversation WHERE id = ${conversationId}::uuid FOR UPDATE`;
    const row = await tx.conversation.findUnique({ where: { id: conversationId }, select: { id: true, channel: true, contactId: true, locale: true, incidentId: true } });
    const session = await tx.dialogSession.findUnique({ where: { conversationId } });
    const dialog = session && this.pinned(session.definitionId, session.definitionVersion);
    if (!row || !session || !dialog || !dialog.definition.events[status]) return;
    const conversation: ConversationContext = { id: row.id, channel: row.channel, contactId: row.contactId, locale: row.locale ?? 'en', incidentId: row.incidentId };
    const data = { incidentId: change.incident.id, number: formatIncidentNumber(change.incident.number), resolution: change.incident.resolution ?? '' };
    const [next, effects] = transition(dialog, parseDialogState(session.state), { type: 'incident', name: status, data });
    const final = await this.apply(tx, dialog, conversation, next, effects, status === 'resolved' ? 'resolved' : 'status');
    await this.save(tx, conversationId, dialog, final, session.version);
  }

  private async apply(tx: Tx, dialog: Dialog, conversation: ConversationContext, state: DialogState, effects: Effect[], notice?: NoticeKind): Promise<DialogState> {
    let current = state;
    const queue = [...effects];
    while (queue.length > 0) {
      const effect = queue.shift()!;
      switch (effect.type) {
        case 'reply':
          await enqueueMessage(tx, conversation, notice ? { ...botReply(effect, current), notice } : botReply(effect, current));
          break;
        case 'append_to_incident':
          if (conversation.incidentId) {
            // Its reply ("added to your incident") covers a resumed status: no separate status notice.
            await this.acted(tx, conversation.id, () => this.services.incidents.addReporterMessage(tx, conversation.incidentId!, effect.text, 'reporter', effect.attachments));
          }
          break;
        case 'unlink_incident':
          await tx.conversation.update({ where: { id: conversation.id }, data: { incidentId: null } });
          conversation.incidentId = null;
          break;
        case 'set_locale':
          // Remembered for the conversation and the person: their next conversation starts in it.
          await tx.conversation.update({ where: { id: conversation.id }, data: { locale: effect.locale } });
          await tx.contact.update({ where: { id: conversation.contactId }, data: { locale: effect.locale } });
          conversation.locale = effect.locale;
          break;
        case 'action': {
          const ctx = { contactId: conversation.contactId, conversationId: conversation.id, incidentId: conversation.incidentId, locale: current.locale };
          const result = await this.acted(tx, conversation.id, () => this.actions.run(tx, effect.action, effect.input, ctx));
          conversation.incidentId = ctx.incidentId;
          const [next, more] = transition(dialog, current, { type: 'action_result', action: effect.action, result });
          current = next;
          queue.push(...more);
          break;
        }
      }
    }
    return current;
  }

  /** Runs the dialog's own incident change: the dialog's reply announces it (see `announces`). */
  private async acted<T>(tx: Tx, conversationId: string, fn: () => Promise<T>): Promise<T> {
    let acting = this.acting.get(tx);
    if (!acting) this.acting.set(tx, (acting = new Set()));
    acting.add(conversationId);
    try {
      return await fn();
    } finally {
      acting.delete(conversationId);
    }
  }

  private async save(tx: Tx, conversationId: string, dialog: Dialog, state: DialogState, version: number | undefined): Promise<void> {
    const { id, version: definitionVersion } = dialog.definition;
    await saveSession(tx, { conversationId, definitionId: id, definitionVersion, state, version });
  }

  private dialog(id: string): Dialog {
    const latest = [...this.dialogs.entries()].filter(([k]) => k.startsWith(`${id}@`)).map(([, d]) => d);
    const dialog = latest.sort((a, b) => b.definition.version - a.definition.version)[0];
    if (!dialog) throw new Error(`no dialog definition named ${id}`);
    return dialog;
  }
}

/** A dialog session row as the runner needs it. */
export interface SessionRow {
  definitionId: string;
  definitionVersion: number;
  state: unknown;
  version: number;
}

async function loadSession(tx: Tx, conversationId: string): Promise<SessionRow | undefined> {
  const rows = await tx.$queryRaw<SessionRow[]>`
    SELECT definition_id AS "definitionId", definition_version AS "definitionVersion", state, version
      FROM dialog_session WHERE conversation_id = ${conversationId}::uuid`;
  return rows[0];
}

export const versionKey = (id: string, version: number) => `${id}@${version}`;
