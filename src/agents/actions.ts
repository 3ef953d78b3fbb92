import type { AgentActions, IncidentView } from '../../channels/types.js';
import type { Database, Tx } from '../db/database.js';
import type { IncidentService } from '../incidents/service.js';
import { OPEN_STATUSES } from '../incidents/lifecycle.js';
import { toChannelIncidentView } from '../incidents/view.js';
import type { IntakePipeline } from '../intake/pipeline.js';

/** Agent-side incident actions offered to channels; each call is one retried transaction. */
export function createAgentActions(db: Database, incidents: IncidentService, pipeline: IntakePipeline, onCommitted: () => void): AgentActions {
  const run = async (fn: (tx: Tx) => Promise<IncidentView>) => {
    const view = await pipeline.transaction(fn);
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
    comment: (ref, input) => run(async (tx) => toChannelIncidentView(tx, await incidents.comment(tx, ref, input))),
    update: (ref, patch, actor) => run(async (tx) => toChannelIncidentView(tx, await incidents.update(tx, ref, patch, actor))),
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
