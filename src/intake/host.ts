import type { Express, RequestHandler, Router } from 'express';
import type { AttachmentRef, ChannelHost, Choice, TranscriptMessage } from '../../channels/types.js';
import { type Database, Prisma, type Tx } from '../db/database.js';
import type { Logger } from '../logger.js';
import { createAgentActions } from '../agents/actions.js';
import { createAgentOverrides } from '../agents/overrides.js';
import type { IncidentService } from '../incidents/service.js';
import { toChannelIncidentView } from '../incidents/view.js';
import { redactSecrets } from '../security/redact.js';
import { storable, storableText } from '../security/sanitize.js';
import type { OutboxDispatcher } from '../outbox/dispatcher.js';
import { createOutboxWriter } from '../outbox/writer.js';
import { createLookups } from './lookups.js';
import type { MajorIncidentService } from '../major/service.js';
import { formatMajorIncidentNumber } from '../major/records.js';
import type { IntakePipeline } from './pipeline.js';

/** The services the core offers channel adapters (see `ChannelHost` in channels/types.ts). */
export function createChannelHost(deps: {
  db: Database;
  pipeline: IntakePipeline;
  dispatcher: OutboxDispatcher;
  incidents: IncidentService;
  app: Express;
  logger: Logger;
  /** [major] major incidents, for their change events and agent actions */
  majors?: MajorIncidentService;
}): ChannelHost {
  const { db, pipeline, dispatcher, app, incidents } = deps;
  const kick = () => dispatcher.kick();
  const lookups = createLookups(db);
  return {
    conversations: lookups.conversations,
    deliveries: lookups.deliveries,
    // Adapters get a host copy with their own name bound (see app.ts); this default is for tests and tools.
    state: lookups.stateFor('default'),
    incidents: createAgentActions(db, incidents, pipeline, kick),
    agents: createAgentOverrides(db),
    onIncidentChange(listener) {
      incidents.onChange(async (tx, change) => {
        const incident = await toChannelIncidentView(tx, change.incident);
        const text = change.text === undefined ? undefined : redactSecrets(change.text);
        // A new incident carries the files sent while reporting it, so agents' channels can show them.
        const attachments = change.kind === 'created' ? await reportAttachments(tx, change.incident.originConversationId) : change.attachments;
        await listener({ incident, kind: change.kind, actor: change.actor, changes: change.changes, text, ...(attachments?.length ? { attachments } : {}) }, createOutboxWriter(tx));
      });
    },
    logger: deps.logger,
    ...(deps.majors ? majorHooks(deps.majors, pipeline, kick) : {}),
    // Platform payloads may carry what the database cannot store (a NUL in a mail header): cleaned once, here.
    receive: (message) => pipeline.receive(storable(message)),
    receiveMany: (messages) => pipeline.receiveMany(storable(messages)),
    open: (c) => pipeline.open(storable(c)),
    mount(path: string, handler: RequestHandler | Router) {
      app.use(path, handler);
    },
    async transcript(conversationId, cursor = 0) {
      // Stop before the first outbound message still queued, so a cursor never moves past a late delivery.
      const { rows } = await db.pool.query<{
        id: string; seq: number; direction: 'in' | 'out'; author: string; text: string;
        choices: Choice[] | null; attachments: AttachmentRef[] | null; created_at: Date;
      }>(
        `WITH gate AS (
           SELECT min(m.seq) AS first_pending FROM message m
            WHERE m.conversation_id = $1::uuid AND m.seq > $2 AND m.direction = 'out' AND m.delivered_at IS NULL
              AND EXISTS (SELECT 1 FROM outbox_message o WHERE o.message_id = m.id AND o.status = 'pending'))
         SELECT m.id::text, m.seq, m.direction, m.author, m.text, m.choices, m.attachments, m.created_at
           FROM message m, gate
          WHERE m.conversation_id = $1::uuid AND m.seq > $2
            AND (gate.first_pending IS NULL OR m.seq < gate.first_pending)
            AND (m.direction = 'in' OR m.delivered_at IS NOT NULL)
          ORDER BY m.seq LIMIT 500`,
        [conversationId, cursor],
      );
      const messages: TranscriptMessage[] = rows.map((r) => ({
        id: r.id,
        seq: Number(r.seq),
        direction: r.direction,
        author: r.author,
        text: r.text,
        ...(r.choices ? { choices: r.choices } : {}),
        ...(r.attachments ? { attachments: r.attachments } : {}),
        createdAt: r.created_at,
      }));
      return { messages, cursor: messages.at(-1)?.seq ?? cursor };
    },
    async changedSince(cursors) {
      if (cursors.length === 0) return new Set<string>();
      const { rows } = await db.pool.query<{ id: string }>(
        `SELECT w.id::text FROM unnest($1::uuid[], $2::bigint[]) AS w(id, cursor)
          WHERE EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = w.id AND m.seq > w.cursor)`,
        [cursors.map((c) => c.conversationId), cursors.map((c) => c.cursor)],
      );
      return new Set(rows.map((r) => r.id));
    },
    async storeAttachment(conversationId, file) {
      const row = await db.prisma.attachment.create({
        data: { conversationId, filename: storableText(file.filename), contentType: storableText(file.contentType), size: file.data.length, data: new Uint8Array(file.data) },
        select: { id: true, filename: true, contentType: true, size: true },
      });
      return row;
    },
    async readAttachment(conversationId, attachmentId) {
      const row = await db.prisma.attachment.findFirst({ where: { id: attachmentId, conversationId } });
      if (!row) return undefined;
      return { ref: { id: row.id, filename: row.filename, contentType: row.contentType, size: row.size }, data: Buffer.from(row.data) };
    },
    onDelivered(listener) {
      const handler = (conversationId: string) => listener(conversationId);
      dispatcher.on('delivered', handler);
      return () => dispatcher.off('delivered', handler);
    },
  };
}

/** Files the reporter sent in the conversation an incident was filed from (in order). */
async function reportAttachments(tx: Tx, conversationId: string | null): Promise<AttachmentRef[] | undefined> {
  if (!conversationId) return undefined;
  const rows = await tx.message.findMany({ where: { conversationId, direction: 'in', NOT: { attachments: { equals: Prisma.DbNull } } }, orderBy: { seq: 'asc' }, select: { attachments: true } });
  return rows.flatMap((r) => (Array.isArray(r.attachments) ? (r.attachments as unknown as AttachmentRef[]) : []));
}

/** [major] Major-incident events and actions for channels (Slack's candidate card and its Declare button). */
function majorHooks(majors: MajorIncidentService, pipeline: IntakePipeline, kick: () => void): Pick<ChannelHost, 'onMajorIncidentChange' | 'majorIncidents'> {
  return {
    onMajorIncidentChange(listener) {
      majors.onChange(async (tx, change) => {
        const incidentCount = await tx.incident.count({ where: { majorIncidentId: change.major.id } });
        const m = change.major;
        await listener({ id: m.id, number: formatMajorIncidentNumber(m.number), title: m.title, service: m.serviceId, status: m.status, restricted: m.restricted, incidentCount, kind: change.kind, actor: change.actor, ...(change.reason ? { reason: change.reason } : {}) }, createOutboxWriter(tx));
      });
    },
    majorIncidents: {
      async declare(ref, actor) {
        const m = await pipeline.transaction((tx) => majors.declare(tx, ref, actor));
        kick();
        return { number: formatMajorIncidentNumber(m.number), status: m.status };
      },
      async link(ref, incident, actor) {
        await pipeline.transaction((tx) => majors.link(tx, ref, [incident], actor, `linked by ${actor}`));
        kick();
      },
      async unlink(incident, actor) {
        await pipeline.transaction((tx) => majors.unlink(tx, incident, actor, `unlinked by ${actor}`));
        kick();
      },
      async merge(from, into, actor) {
        await pipeline.transaction((tx) => majors.merge(tx, from, into, actor));
        kick();
      },
    },
  };
}
