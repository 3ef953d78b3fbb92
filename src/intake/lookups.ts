import type { ChannelHost, ConversationMatch, ConversationReference } from '../../channels/types.js';
import type { Database } from '../db/database.js';

type Row = { id: string; thread_key: string; reference: ConversationReference; reporter: string | null };

const SELECT = `SELECT c.id::text, c.thread_key, c.reference,
  (SELECT ci.external_id FROM channel_identity ci WHERE ci.contact_id = c.contact_id AND ci.channel = c.channel LIMIT 1) AS reporter
  FROM conversation c`;

const toMatch = (r: Row | undefined): ConversationMatch | undefined =>
  r && { conversationId: r.id, threadKey: r.thread_key, reference: r.reference, reporterExternalId: r.reporter };

/** Conversation lookups and durable channel state offered to adapters through the host. */
export function createLookups(db: Database): Pick<ChannelHost, 'conversations'> & { stateFor(channel: string): ChannelHost['state'] } {
  return {
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
      return {
        async get(key) {
          const row = await db.prisma.channelState.findUnique({ where: { channel_key: { channel, key } } });
          return (row?.value ?? undefined) as never;
        },
        async set(key, value) {
          await db.prisma.channelState.upsert({
            where: { channel_key: { channel, key } },
            create: { channel, key, value: value as never },
            update: { value: value as never },
          });
        },
      };
    },
  };
}
