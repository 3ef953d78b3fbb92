import type { AgentActions, IncidentView } from '../../channels/types.js';
import type { Database, Tx } from '../db/database.js';
import type { IncidentService } from '../incidents/service.js';
import { OPEN_STATUSES } from '../incidents/lifecycle.js';
import { toChannelIncidentView } from '../incidents/view.js';
import type { IntakePipeline } from '../intake/pipeline.js';
import { storable, storableText } from '../security/sanitize.js';

/** Agent-side incident actions offered to channels; each call is one retried transaction. */
export function createAgentActions(db: Database, incidents: IncidentService, pipeline: IntakePipeline, onCommitted: () => void): AgentActions {
  const run = async (fn: (tx: Tx) => Promise<IncidentView>, ref: string, eventId?: string) => {
    const view = await pipeline.transaction(async (tx) => {
      // The platform event is recorded with its effects: a redelivery (any instance, any time) is a no-op.
      if (eventId && !(await recordEvent(tx, eventId))) return toChannelIncidentView(tx, await incidents.get(tx, ref));
      return fn(tx);
    });
    onCommitted();
    return view;
  };
  return {
    async get(ref) {
      try {
        const incident = await incidents.get(db.prisma, ref);
        return toChannelIncidentView(db.prisma, incident);
      } catch {
        return undefined;
      }
    },
    // What agents type in a channel is cleaned like any other input before it is stored.
    comment: (ref, input) => run(async (tx) => toChannelIncidentView(tx, await incidents.comment(tx, ref, storable(input))), ref, input.eventId),
    update: (ref, patch, actor, options) => run(async (tx) => toChannelIncidentView(tx, await incidents.update(tx, ref, storable(patch), storableText(actor))), ref, options?.eventId),
    async handled(eventId) {
      const { channel, key } = eventKey(eventId);
      const { rows } = await db.pool.query('SELECT 1 FROM inbound_event WHERE channel = $1 AND external_id = $2', [channel, key]);
      return rows.length > 0;
    },
    async listForReporter(channel, externalUserId, options = {}) {
      const identity = await db.prisma.channelIdentity.findUnique({ where: { channel_externalId: { channel, externalId: externalUserId } }, select: { contactId: true } });
      if (!identity) return [];
      const rows = await db.prisma.incident.findMany({
        where: { reporterId: identity.contactId, ...(options.openOnly ? { status: { in: [...OPEN_STATUSES] } } : {}) },
        orderBy: { number: 'desc' },
        take: options.limit ?? 20,
      });
      return Promise.all(rows.map((r) => toChannelIncidentView(db.prisma, r)));
    },
  };
}

/** Where an agent-side platform event `channel:rest` is recorded: the intake's table, under `agent:rest`. */
function eventKey(eventId: string): { channel: string; key: string } {
  const [channel, ...rest] = eventId.split(':');
  return { channel: channel ?? 'agent', key: `agent:${rest.join(':')}` };
}

/** Records an agent-side platform event with its effects; false when it was recorded before. */
async function recordEvent(tx: Tx, eventId: string): Promise<boolean> {
  const { channel, key } = eventKey(eventId);
  const fresh = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO inbound_event (id, channel, external_id, received_at)
    VALUES (gen_random_uuid(), ${channel}, ${key}, now())
    ON CONFLICT (channel, external_id) DO NOTHING RETURNING id::text`;
  return fresh.length > 0;
}
