import type { Author } from '../../channels/types.js';
import type { Tx } from '../db/database.js';
import type { IncidentService } from '../incidents/service.js';
import { formatIncidentNumber } from '../incidents/number.js';
import { enqueueMessage, type OutboxTarget } from '../outbox/enqueue.js';
import { type Dialog, type DialogEvent, type Effect, start, transition } from './engine.js';
import { parseDialogState, type DialogState } from './state.js';

export interface ConversationContext extends OutboxTarget {
  contactId: string;
  locale: string;
  incidentId: string | null;
}

/**
 * The I/O half of the dialog engine: loads the pinned session, runs the pure `transition`, and carries out
 * its effects in the caller's transaction (replies to the outbox, incidents filed), feeding action results
 * back until the engine waits for the reporter again.
 */
export class DialogRunner {
  constructor(
    private readonly dialogs: ReadonlyMap<string, Dialog>,
    private readonly defaultDialogId: string,
    private readonly incidents: IncidentService,
  ) {}

  /** Starts a fresh session (e.g. when a web chat opens) and queues the greeting. */
  async begin(tx: Tx, conversation: ConversationContext): Promise<void> {
    const dialog = this.dialog(this.defaultDialogId);
    const [state, effects] = start(dialog, conversation.locale);
    const final = await this.apply(tx, dialog, conversation, state, effects);
    await this.save(tx, conversation.id, dialog, final, undefined);
  }

  /** The definition a stored session is pinned to, or undefined when that version is no longer loaded. */
  pinned(definitionId: string, version: number): Dialog | undefined {
    return this.dialogs.get(versionKey(definitionId, version));
  }

  /** Runs one reporter event through the conversation's session, creating the session if there is none. */
  async handle(tx: Tx, conversation: ConversationContext, event: DialogEvent): Promise<void> {
    const session = await tx.dialogSession.findUnique({ where: { conversationId: conversation.id } });
    let dialog: Dialog;
    let state: DialogState;
    let effects: Effect[] = [];
    if (session && this.dialogs.has(versionKey(session.definitionId, session.definitionVersion))) {
      dialog = this.dialogs.get(versionKey(session.definitionId, session.definitionVersion))!;
      state = parseDialogState(session.state);
    } else {
      // No session yet, or its definition version is gone: start on the current definition.
      dialog = this.dialog(session?.definitionId ?? this.defaultDialogId);
      [state, effects] = start(dialog, conversation.locale);
      state = await this.apply(tx, dialog, conversation, state, effects);
    }
    const [next, more] = transition(dialog, state, event);
    const final = await this.apply(tx, dialog, conversation, next, more);
    await this.save(tx, conversation.id, dialog, final, session?.version);
  }

  private async apply(tx: Tx, dialog: Dialog, conversation: ConversationContext, state: DialogState, effects: Effect[]): Promise<DialogState> {
    let current = state;
    const queue = [...effects];
    const bot: Author = { kind: 'bot' };
    while (queue.length > 0) {
      const effect = queue.shift()!;
      switch (effect.type) {
        case 'reply':
          await enqueueMessage(tx, conversation, { text: effect.text, choices: effect.choices, author: bot });
          break;
        case 'append_to_incident':
          if (conversation.incidentId) await this.incidents.addReporterMessage(tx, conversation.incidentId, effect.text);
          break;
        case 'action': {
          const result = await this.runAction(tx, conversation, effect);
          const [next, more] = transition(dialog, current, { type: 'action_result', action: effect.action, result });
          current = next;
          queue.push(...more);
          break;
        }
      }
    }
    return current;
  }

  private async runAction(tx: Tx, conversation: ConversationContext, effect: Extract<Effect, { type: 'action' }>): Promise<Record<string, unknown>> {
    switch (effect.action) {
      case 'file_incident': {
        const description = String(effect.input.description ?? '').trim() || '(no description)';
        const incident = await this.incidents.create(tx, {
          title: titleFrom(description),
          description,
          reporterId: conversation.contactId,
          originConversationId: conversation.id,
          impact: numberOr(effect.input.impact, 3),
          urgency: numberOr(effect.input.urgency, 3),
        });
        await tx.conversation.update({ where: { id: conversation.id }, data: { incidentId: incident.id } });
        conversation.incidentId = incident.id;
        return { id: incident.id, number: formatIncidentNumber(incident.number), priority: incident.priority };
      }
    }
  }

  private async save(tx: Tx, conversationId: string, dialog: Dialog, state: DialogState, version: number | undefined): Promise<void> {
    const data = { definitionId: dialog.definition.id, definitionVersion: dialog.definition.version, state: state as never };
    if (version === undefined) {
      await tx.dialogSession.upsert({ where: { conversationId }, create: { conversationId, ...data }, update: { ...data, version: { increment: 1 } } });
      return;
    }
    // The conversation row lock serialises writers; the version check is a second guard against lost updates.
    const updated = await tx.dialogSession.updateMany({ where: { conversationId, version }, data: { ...data, version: version + 1 } });
    if (updated.count !== 1) throw new Error(`dialog session of ${conversationId} changed concurrently`);
  }

  private dialog(id: string): Dialog {
    const latest = [...this.dialogs.entries()].filter(([k]) => k.startsWith(`${id}@`)).map(([, d]) => d);
    const dialog = latest.sort((a, b) => b.definition.version - a.definition.version)[0];
    if (!dialog) throw new Error(`no dialog definition named ${id}`);
    return dialog;
  }
}

export const versionKey = (id: string, version: number) => `${id}@${version}`;

function titleFrom(description: string): string {
  const firstLine = description.split(/\r?\n/)[0] ?? description;
  return firstLine.length > 80 ? `${firstLine.slice(0, 77)}...` : firstLine;
}

const numberOr = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
