import type { Tx } from '../db/database.js';
import type { Dialog } from '../dialog/engine.js';
import type { ConversationContext, DialogRunner } from '../dialog/runner.js';
import { parseDialogState } from '../dialog/state.js';
import type { Logger } from '../logger.js';
import type { RunTransaction } from './job-queue.js';

const BATCH = 50;
/** Batches per run: a long outage's backlog is worked off over a few runs instead of one endless one. */
const MAX_BATCHES = 20;

interface Candidate {
  conversation_id: string;
  version: number;
}

/**
 * Reminders for dialogs waiting on the reporter: a session idle for `idle.remindAfterMinutes` gets the
 * engine's `timeout` event once (a reminder), and `closeAfterMinutes` after the reporter last wrote a second
 * one (the gentle close). Idle time counts from the session's last write, so the reminder itself restarts it.
 * Each session runs in its own transaction under the conversation lock, exactly like a reporter's message.
 * Runs as a pg-boss cron job (every minute, one instance per slot); any number of runs may overlap safely.
 */
export class IdleDialogs {
  private readonly earliestMinutes: number | undefined;

  constructor(
    private readonly transaction: RunTransaction,
    private readonly runner: DialogRunner,
    dialogs: Iterable<Dialog>,
    private readonly logger?: Logger,
  ) {
    const minutes = [...dialogs].map((d) => d.definition.idle?.remindAfterMinutes).filter((m): m is number => m !== undefined);
    this.earliestMinutes = minutes.length ? Math.min(...minutes) : undefined;
  }

  async run(now: Date): Promise<Record<string, number>> {
    const counts = { reminded: 0, closed: 0 };
    if (this.earliestMinutes === undefined) return counts; // no dialog has idle handling
    const cutoff = new Date(now.getTime() - this.earliestMinutes * 60_000);
    const seen = new Set<string>();
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      // Candidates are read without locks; each is re-checked under its conversation lock below. A session
      // that was not due (a longer idle setting) or is busy is not read twice in one run.
      const candidates = (await this.transaction((tx) => tx.$queryRaw<Candidate[]>`
        SELECT conversation_id::text, version FROM dialog_session
        WHERE state->>'status' = 'active' AND state->>'pendingAction' IS NULL AND updated_at <= ${cutoff}
        ORDER BY updated_at LIMIT ${BATCH + seen.size}`)).filter((c) => !seen.has(c.conversation_id));
      for (const candidate of candidates) {
        seen.add(candidate.conversation_id);
        try {
          const outcome = await this.transaction((tx) => this.timeout(tx, candidate, now));
          if (outcome) counts[outcome]++;
        } catch (err) {
          this.logger?.error({ err, conversationId: candidate.conversation_id }, 'idle dialog timeout failed');
        }
      }
      if (candidates.length < BATCH) break;
    }
    return counts;
  }

  private async timeout(tx: Tx, candidate: Candidate, now: Date): Promise<'reminded' | 'closed' | undefined> {
    // Same lock a reporter's message takes; a conversation busy right now is simply left for the next pass.
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM conversation WHERE id = ${candidate.conversation_id}::uuid FOR UPDATE SKIP LOCKED`;
    if (locked.length === 0) return undefined;
    const session = await tx.dialogSession.findUnique({ where: { conversationId: candidate.conversation_id } });
    // A changed version means the reporter (or an overlapping run) acted since the candidate was read.
    if (!session || session.version !== candidate.version) return undefined;
    const idle = this.runner.pinned(session.definitionId, session.definitionVersion)?.definition.idle;
    const state = parseDialogState(session.state);
    if (!idle || state.status !== 'active' || state.pendingAction) return undefined;
    const waitMinutes = state.reminded ? idle.closeAfterMinutes - idle.remindAfterMinutes : idle.remindAfterMinutes;
    if (session.updatedAt.getTime() + waitMinutes * 60_000 > now.getTime()) return undefined;
    const row = await tx.conversation.findUniqueOrThrow({
      where: { id: candidate.conversation_id },
      select: { id: true, channel: true, contactId: true, locale: true, incidentId: true },
    });
    const conversation: ConversationContext = { id: row.id, channel: row.channel, contactId: row.contactId, locale: row.locale ?? state.locale, incidentId: row.incidentId };
    await this.runner.handle(tx, conversation, { type: 'timeout' });
    return state.reminded ? 'closed' : 'reminded';
  }
}
