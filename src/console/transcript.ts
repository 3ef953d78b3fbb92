import type { Database, Incident } from '../db/database.js';

export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'failed' | null;

/**
 * The incident's whole conversation across channels: every conversation linked to it (the reporter's web chat,
 * an email thread, a fallback channel…), with the delivery state of each outgoing message from the outbox,
 * and the agents' internal notes from the timeline (left out for read-only viewers).
 */
export async function consoleTranscript(db: Database, incident: Incident, options: { includeNotes: boolean }) {
  const conversations = await db.prisma.conversation.findMany({
    where: { OR: [{ incidentId: incident.id }, ...(incident.originConversationId ? [{ id: incident.originConversationId }] : [])] },
    select: { id: true, channel: true },
  });
  const channelOf = new Map(conversations.map((c) => [c.id, c.channel]));
  const messages = conversations.length
    ? await db.prisma.message.findMany({ where: { conversationId: { in: [...channelOf.keys()] } }, orderBy: { seq: 'asc' }, take: 2_000 })
    : [];
  const outbound = messages.filter((m) => m.direction === 'out').map((m) => m.id);
  const outbox = outbound.length
    ? await db.prisma.outboxMessage.findMany({ where: { messageId: { in: outbound } }, select: { messageId: true, status: true, lastError: true } })
    : [];
  const delivery = new Map(outbox.map((o) => [o.messageId, o]));
  const notes = options.includeNotes
    ? await db.prisma.incidentEvent.findMany({ where: { incidentId: incident.id, type: 'note' }, orderBy: { createdAt: 'asc' } })
    : [];
  const items = [
    ...messages.map((m) => {
      const o = delivery.get(m.id);
      const status: DeliveryStatus = m.direction === 'in' ? null : o?.status === 'dead' ? 'failed' : o?.status === 'pending' ? 'queued' : m.deliveredAt || o?.status === 'sent' ? 'sent' : 'queued';
      return {
        id: m.id, kind: m.direction === 'in' ? 'reporter' : m.author.startsWith('agent:') ? 'agent' : 'bot',
        channel: channelOf.get(m.conversationId) ?? null, author: m.author, text: m.text,
        attachments: m.attachments ?? null, delivery: status, error: o?.status === 'dead' ? o.lastError : null, at: m.createdAt.toISOString(),
      };
    }),
    ...notes.map((n) => ({ id: n.id, kind: 'note', channel: null, author: n.actor, text: n.body ?? '', attachments: null, delivery: null, error: null, at: n.createdAt.toISOString() })),
  ];
  return items.sort((a, b) => a.at.localeCompare(b.at));
}
