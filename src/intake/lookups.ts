import type { ChannelHost, Choice, ConversationMatch, ConversationReference, DeliveryStatus } from '../../channels/types.js';
import type { Database } from '../db/database.js';

type Row = { id: string; thread_key: string; reference: ConversationReference; reporter: string | null };

const COLUMNS = `c.id::text, c.thread_key, c.reference,
  (SELECT ci.external_id FROM channel_identity ci WHERE ci.contact_id = c.contact_id AND ci.channel = c.channel LIMIT 1) AS reporter`;

const toMatch = (r: Row): ConversationMatch => ({ conversationId: r.id, threadKey: r.thread_key, reference: r.reference, reporterExternalId: r.reporter });

/**
 * Conversation lookups and durable channel state offered to adapters through the host. The batch forms
 * (`…Many…`) serve a whole round of mail with one query per kind; the single forms run through them, so each
 * lookup's SQL exists once. Plain SQL: these run for every mail and the ORM's per-query cost dominates on PGlite.
 */
export function createLookups(db: Database): Pick<ChannelHost, 'conversations' | 'deliveries'> & { stateFor(channel: string): ChannelHost['state'] } {
  const conversations: ChannelHost['conversations'] = {
    async findByMessageExternalIds(channel, externalIds) {
      const found = await conversations.findManyByMessageExternalIds(channel, externalIds);
      // The most specific id (first given) that has a conversation decides.
      for (const id of externalIds) if (found.has(id)) return found.get(id);
      return undefined;
    },
    async findManyByMessageExternalIds(channel, externalIds) {
      if (externalIds.length === 0) return new Map();
      // Per id, the newest message with it in a reporter conversation of the channel: one backward probe of the
      // (external_id, seq) index each. The conversation test is a scalar subquery on purpose: as a join, a
      // table without statistics yet (a fresh install's first burst of mail) made the planner scan every
      // conversation once per id.
      const { rows } = await db.pool.query<Row & { key: string }>(
        `SELECT k.id AS key, ${COLUMNS}
           FROM unnest($2::text[]) AS k(id)
           CROSS JOIN LATERAL (
             SELECT m.conversation_id FROM message m
              WHERE m.external_id = k.id
                AND (SELECT o.channel = $1 AND o.kind = 'reporter' FROM conversation o WHERE o.id = m.conversation_id)
              ORDER BY m.seq DESC LIMIT 1) x
           JOIN conversation c ON c.id = x.conversation_id`,
        [channel, [...new Set(externalIds)]],
      );
      return new Map(rows.map((r) => [r.key, toMatch(r)]));
    },
    async findByIncidentNumber(channel, number) {
      return (await conversations.findManyByIncidentNumbers(channel, [number])).get(number);
    },
    async findManyByIncidentNumbers(channel, numbers) {
      if (numbers.length === 0) return new Map();
      // bigint: a subject token may carry more digits than an incident number can have.
      const { rows } = await db.pool.query<Row & { key: string }>(
        `SELECT DISTINCT ON (i.number) i.number::text AS key, ${COLUMNS}
           FROM conversation c JOIN incident i ON i.origin_conversation_id = c.id
          WHERE c.channel = $1 AND i.number = ANY($2::bigint[])
          ORDER BY i.number`,
        [channel, [...new Set(numbers)].map(String)],
      );
      return new Map(rows.map((r) => [Number(r.key), toMatch(r)]));
    },
    async findRecentByMatchKeys(channel, queries) {
      if (queries.length === 0) return [];
      // One probe of the (channel, match_key) index per query: a key has a handful of conversations at most.
      // updated_at is a timestamp without zone holding UTC (Prisma's convention): compare in UTC.
      const { rows } = await db.pool.query<Row & { ord: number }>(
        `SELECT q.ord::int AS ord, r.*
           FROM unnest($2::text[], $3::timestamptz[]) WITH ORDINALITY AS q(key, since, ord)
           CROSS JOIN LATERAL (
             SELECT ${COLUMNS} FROM conversation c
              WHERE c.channel = $1 AND c.match_key = q.key AND c.kind = 'reporter'
                AND c.updated_at >= (q.since AT TIME ZONE 'UTC')
              ORDER BY c.updated_at DESC LIMIT 1) r`,
        [channel, queries.map((q) => q.key), queries.map((q) => q.since)],
      );
      const out: (ConversationMatch | undefined)[] = queries.map(() => undefined);
      for (const r of rows) out[r.ord - 1] = toMatch(r);
      return out;
    },
    async lastDeliveredChoices(conversationIds) {
      if (conversationIds.length === 0) return new Map();
      // The transcript keeps every message's options: a channel need not remember them per send.
      const { rows } = await db.pool.query<{ id: string; choices: unknown }>(
        `SELECT DISTINCT ON (m.conversation_id) m.conversation_id::text AS id, m.choices
           FROM message m
          WHERE m.conversation_id = ANY($1::uuid[]) AND m.direction = 'out' AND m.author = 'bot' AND m.delivered_at IS NOT NULL
          ORDER BY m.conversation_id, m.seq DESC`,
        [conversationIds],
      );
      return new Map(rows.filter((r) => Array.isArray(r.choices) && r.choices.length > 0).map((r) => [r.id, r.choices as Choice[]]));
    },
    async lastInboundAt(conversationId) {
      // A backward walk of the (conversation_id, seq) index to the newest inbound message.
      const { rows } = await db.pool.query<{ created_at: Date }>(
        `SELECT m.created_at FROM message m WHERE m.conversation_id = $1::uuid AND m.direction = 'in' ORDER BY m.seq DESC LIMIT 1`,
        [conversationId],
      );
      return rows[0]?.created_at;
    },
    async locale(conversationId) {
      const { rows } = await db.pool.query<{ locale: string | null }>('SELECT locale FROM conversation WHERE id = $1::uuid', [conversationId]);
      return rows[0]?.locale ?? undefined;
    },
  };
  const deliveries: ChannelHost['deliveries'] = {
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
    clear: (channel, address) => deliveries.clearMany(channel, [address]),
    async clearMany(channel, addresses) {
      if (addresses.length === 0) return;
      // The count stays: it is the address's history; failing_since is what stops sends.
      await db.pool.query(
        `UPDATE channel_identity SET failing_since = NULL WHERE channel = $1 AND external_id = ANY($2::text[]) AND failing_since IS NOT NULL`,
        [channel, [...new Set(addresses)]],
      );
    },
    async messageFailed(channel, externalId, reason) {
      // Through the message's indexed external id to its outbox row (found by the status/conversation index).
      const { rowCount } = await db.pool.query(
        `UPDATE outbox_message o SET status = 'dead', last_error = $3
           FROM (SELECT m.id, m.conversation_id FROM message m WHERE m.external_id = $2 AND m.direction = 'out'
                  ORDER BY m.seq DESC LIMIT 1) m
          WHERE o.status = 'sent' AND o.conversation_id = m.conversation_id AND o.message_id = m.id AND o.channel = $1`,
        [channel, externalId, reason.slice(0, 2000)],
      );
      if (rowCount) {
        await db.pool.query(
          `UPDATE message SET delivery_status = 'failed', delivery_status_at = now()
            WHERE id = (SELECT id FROM message WHERE external_id = $1 AND direction = 'out' ORDER BY seq DESC LIMIT 1)`,
          [externalId],
        );
      }
      return (rowCount ?? 0) > 0;
    },
    async messageStatus(channel, externalId, status, at) {
      // Only forward: sent → delivered → read; a failed message stays failed.
      const { rowCount } = await db.pool.query(
        `UPDATE message m SET delivery_status = $3, delivery_status_at = $4
          WHERE m.id = (SELECT x.id FROM message x JOIN conversation c ON c.id = x.conversation_id
                         WHERE x.external_id = $2 AND x.direction = 'out' AND c.channel = $1 ORDER BY x.seq DESC LIMIT 1)
            AND (m.delivery_status IS NULL OR (m.delivery_status = 'delivered' AND $3 = 'read'))`,
        [channel, externalId, status, at],
      );
      return (rowCount ?? 0) > 0;
    },
  };
  return {
    deliveries,
    conversations,
    stateFor(channel) {
      return {
        async get(key) {
          const { rows } = await db.pool.query<{ value: unknown }>('SELECT value FROM channel_state WHERE channel = $1 AND key = $2', [channel, key]);
          return (rows[0]?.value ?? undefined) as never; // a stored JSON null is "no value"
        },
        async set(key, value) {
          await db.pool.query(
            `INSERT INTO channel_state (channel, key, value, updated_at) VALUES ($1, $2, $3::jsonb, now())
             ON CONFLICT (channel, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
            [channel, key, JSON.stringify(value)],
          );
        },
        async lease(key, holder, ttlMs) {
          // One statement, so two instances cannot both take it; the row lock orders concurrent attempts.
          const { rowCount } = await db.pool.query(
            `INSERT INTO channel_state (channel, key, value, updated_at)
             VALUES ($1, $2, jsonb_build_object('holder', $3::text, 'until', now() + make_interval(secs => $4::double precision / 1000)), now())
             ON CONFLICT (channel, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
             WHERE channel_state.value->>'holder' = $3::text OR (channel_state.value->>'until')::timestamptz < now()`,
            [channel, key, holder, ttlMs],
          );
          return (rowCount ?? 0) > 0;
        },
        async release(key, holder) {
          await db.pool.query(`DELETE FROM channel_state WHERE channel = $1 AND key = $2 AND value->>'holder' = $3`, [channel, key, holder]);
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
