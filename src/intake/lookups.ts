import type { ChannelHost, ConversationMatch, ConversationReference, DeliveryStatus } from '../../channels/types.js';
import type { Database } from '../db/database.js';

type Row = { id: string; thread_key: string; reference: ConversationReference; reporter: string | null };

const SELECT = `SELECT c.id::text, c.thread_key, c.reference,
  (SELECT ci.external_id FROM channel_identity ci WHERE ci.contact_id = c.contact_id AND ci.channel = c.channel LIMIT 1) AS reporter
  FROM conversation c`;

const toMatch = (r: Row | undefined): ConversationMatch | undefined =>
  r && { conversationId: r.id, threadKey: r.thread_key, reference: r.reference, reporterExternalId: r.reporter };

/** Conversation lookups and durable channel state offered to adapters through the host. */
export function createLookups(db: Database): Pick<ChannelHost, 'conversations' | 'deliveries'> & { stateFor(channel: string): ChannelHost['state'] } {
  return {
    deliveries: {
      async get(channel, address) {
        const { rows } = await db.pool.query<DeliveryRow>(
          `SELECT failing_since, last_bounce_at, last_bounce_status, last_bounce_reason, bounce_count
             FROM channel_identity WHERE channel = $1 AND external_id = $2 AND failing_since IS NOT NULL`,
          [channel, address],
        );
        return rows[0] && toDeliveryStatus(rows[0]);
      },
      async markFailing(channel, address, failure) {
        const { rowCount } = await db.pool.query(
          `UPDATE channel_identity SET failing_since = COALESCE(failing_since, now()), last_bounce_at = now(),
                  last_bounce_status = $3, last_bounce_reason = $4, bounce_count = bounce_count + 1
            WHERE channel = $1 AND external_id = $2`,
          [channel, address, failure.status ?? null, failure.reason?.slice(0, 1000) ?? null],
        );
        return (rowCount ?? 0) > 0;
      },
      async clear(channel, address) {
        // The count stays: it is the address's history; failing_since is what stops sends.
        await db.pool.query(
          `UPDATE channel_identity SET failing_since = NULL WHERE channel = $1 AND external_id = $2 AND failing_since IS NOT NULL`,
          [channel, address],
        );
      },
    },
    conversations: {
      async findByMessageExternalIds(channel, externalIds) {
        if (externalIds.length === 0) return undefined;
        const { rows } = await db.pool.query<Row>(
          `${SELECT} JOIN message m ON m.conversation_id = c.id
            WHERE c.channel = $1 AND c.kind = 'reporter' AND m.external_id = ANY($2::text[])
            ORDER BY array_position($2::text[], m.external_id), m.seq DESC LIMIT 1`,
          [channel, externalIds],
        );
        return toMatch(rows[0]);
      },
      async findByIncidentNumber(channel, number) {
        const { rows } = await db.pool.query<Row>(
          `${SELECT} JOIN incident i ON i.origin_conversation_id = c.id WHERE c.channel = $1 AND i.number = $2 LIMIT 1`,
          [channel, number],
        );
        return toMatch(rows[0]);
      },
      async findRecentByReference(channel, fields, since) {
        const { rows } = await db.pool.query<Row>(
          `${SELECT} WHERE c.channel = $1 AND c.kind = 'reporter' AND c.reference @> $2::jsonb AND c.updated_at >= $3
            ORDER BY c.updated_at DESC LIMIT 1`,
          [channel, JSON.stringify(fields), since],
        );
        return toMatch(rows[0]);
      },
    },
    stateFor(channel) {
      // Plain SQL: these run for many mails (choices, checkpoints) and the ORM's per-query cost dominates on PGlite.
      return {
        async get(key) {
          const { rows } = await db.pool.query<{ value: unknown }>('SELECT value FROM channel_state WHERE channel = $1 AND key = $2', [channel, key]);
          return (rows[0]?.value ?? undefined) as never;
        },
        async set(key, value) {
          await db.pool.query(
            `INSERT INTO channel_state (channel, key, value, updated_at) VALUES ($1, $2, $3::jsonb, now())
             ON CONFLICT (channel, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
            [channel, key, JSON.stringify(value)],
          );
        },
      };
    },
  };
}

type DeliveryRow = { failing_since: Date; last_bounce_at: Date; last_bounce_status: string | null; last_bounce_reason: string | null; bounce_count: number };

/** Permanent unless the report says transient (4.x.x): a bounce without a status is usually "no such user". */
export function toDeliveryStatus(r: DeliveryRow): DeliveryStatus {
  return {
    failingSince: r.failing_since,
    lastBounceAt: r.last_bounce_at,
    status: r.last_bounce_status,
    reason: r.last_bounce_reason,
    count: r.bounce_count,
    hard: !r.last_bounce_status?.startsWith('4'),
  };
}
