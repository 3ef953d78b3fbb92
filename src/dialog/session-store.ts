import { asJson, coalesced, distinctRuns } from '../db/coalesce.js';
import type { Tx } from '../db/database.js';

export interface SessionWrite {
  conversationId: string;
  definitionId: string;
  definitionVersion: number;
  state: unknown;
  /** The version read under the conversation lock; undefined for a conversation without a session yet. */
  version: number | undefined;
}

/**
 * Saves a dialog session. The conversation row lock serialises writers; the version check is a second guard
 * against lost updates (a mismatch rejects with an error). Saves of concurrent flows share a statement.
 */
export function saveSession(tx: Tx, write: SessionWrite): Promise<void> {
  return coalesced(tx, saveSessions).load(write);
}

async function saveSessions(tx: Tx, writes: readonly SessionWrite[]): Promise<(void | Error)[]> {
  return distinctRuns(writes, (w) => w.conversationId, async (part) => {
    const rows = part.map((w) => ({ conversation_id: w.conversationId, definition_id: w.definitionId, definition_version: w.definitionVersion, state: w.state, version: w.version ?? null }));
    const saved = await tx.$queryRawUnsafe<{ id: string }[]>(
      `WITH r AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS (conversation_id uuid, definition_id text, definition_version int, state jsonb, version int)
       ), ins AS (
         INSERT INTO dialog_session (id, conversation_id, definition_id, definition_version, state, version, updated_at)
         SELECT gen_random_uuid(), conversation_id, definition_id, definition_version, state, 0, now() FROM r WHERE version IS NULL
         ON CONFLICT (conversation_id) DO UPDATE SET definition_id = EXCLUDED.definition_id,
           definition_version = EXCLUDED.definition_version, state = EXCLUDED.state,
           version = dialog_session.version + 1, updated_at = now()
         RETURNING conversation_id
       ), upd AS (
         UPDATE dialog_session s SET definition_id = r.definition_id, definition_version = r.definition_version, state = r.state,
                version = r.version + 1, updated_at = now()
           FROM r WHERE r.version IS NOT NULL AND s.conversation_id = r.conversation_id AND s.version = r.version
         RETURNING s.conversation_id
       )
       SELECT conversation_id::text AS id FROM ins UNION ALL SELECT conversation_id::text FROM upd`,
      asJson(rows),
    );
    const done = new Set(saved.map((r) => r.id));
    return part.map((w) => (done.has(w.conversationId) ? undefined : new Error(`dialog session of ${w.conversationId} changed concurrently`)));
  });
}
