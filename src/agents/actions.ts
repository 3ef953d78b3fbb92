import type { AgentActions, IncidentView } from '../../channels/types.js';
import type { Database, Tx } from '../db/database.js';
import type { IncidentService } from '../incidents/service.js';
import { OPEN_STATUSES } from '../incidents/lifecycle.js';
import { toChannelIncidentView } from '../incidents/view.js';
import type { IntakePipeline } from '../intake/pipeline.js';

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
    comment: (ref, input) => run(async (tx) => toChannelIncidentView(tx, await incidents.comment(tx, ref, input)), ref, input.eventId),
    update: (ref, patch, actor, options) => run(async (tx) => toChannelIncidentView(tx, await incidents.update(tx, ref, patch, actor)), ref, options?.eventId),
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

/** `channel:key` of an agent-side platform event, in the table the intake pipeline uses; false when seen before. */
async function recordEvent(tx: Tx, eventId: string): Promise<boolean> {
  const [channel, ...rest] = eventId.split(':');
  const fresh = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO inbound_event (id, channel, external_id, received_at)
    VALUES (gen_random_uuid(), ${channel ?? 'agent'}, ${`agent:${rest.join(':')}`}, now())
    ON CONFLICT (channel, external_id) DO NOTHING RETURNING id::text`;
  return fresh.length > 0;
}
