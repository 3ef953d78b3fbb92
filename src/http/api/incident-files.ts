import type { Router } from 'express';
import type { Database, Incident } from '../../db/database.js';
import { FrontlineError } from '../../errors.js';
import { formatIncidentNumber } from '../../incidents/number.js';
import type { IncidentService } from '../../incidents/service.js';
import { guardConfidential as guard, requireRole } from '../auth.js';

/** The files of an incident, as agents see them on `GET /incidents/{ref}`: with a download URL of the API. */
export async function incidentAttachments(db: Database, incident: Incident) {
  const rows = await db.prisma.attachment.findMany({
    where: { incidentId: incident.id },
    select: { id: true, filename: true, contentType: true, size: true, createdAt: true },
    orderBy: { createdAt: 'asc' },
  });
  const number = formatIncidentNumber(incident.number);
  return rows.map((a) => ({ ...a, createdAt: a.createdAt.toISOString(), url: `/api/v1/incidents/${number}/attachments/${a.id}` }));
}

/** Read-only tokens never get what the reporter wrote or sent for a confidential incident. */
function assertVisible(role: string | undefined, incident: Incident): void {
  if (role === 'read_only' && incident.confidential) throw new FrontlineError('FORBIDDEN', 'confidential incident: an agent token is needed');
}

/** `GET /incidents/{ref}/transcript` and `GET /incidents/{ref}/attachments/{id}`. */
export function registerIncidentFiles(router: Router, db: Database, incidents: IncidentService): void {
  router.get('/:ref/transcript', requireRole(db, 'read_only'), async (req, res) => {
    const incident = guard(req.principal, await incidents.get(db.prisma, String(req.params.ref)));
    assertVisible(req.principal?.role, incident);
    const messages = incident.originConversationId
      ? await db.prisma.message.findMany({ where: { conversationId: incident.originConversationId }, orderBy: { seq: 'asc' }, take: 1_000 })
      : [];
    res.json({
      incident: formatIncidentNumber(incident.number),
      conversationId: incident.originConversationId,
      messages: messages.map((m) => ({ id: m.id, direction: m.direction, author: m.author, text: m.text, choices: m.choices ?? undefined, attachments: m.attachments ?? undefined, createdAt: m.createdAt.toISOString() })),
    });
  });

  router.get('/:ref/attachments/:attachmentId', requireRole(db, 'read_only'), async (req, res) => {
    const incident = guard(req.principal, await incidents.get(db.prisma, String(req.params.ref)));
    assertVisible(req.principal?.role, incident);
    const id = String(req.params.attachmentId);
    const file = /^[0-9a-f-]{36}$/i.test(id) ? await db.prisma.attachment.findFirst({ where: { id, incidentId: incident.id } }) : null;
    if (!file) throw new FrontlineError('NOT_FOUND', 'attachment not found');
    // Served as a download, never rendered on our origin (it could be HTML or SVG with scripts).
    res.set({
      'Content-Type': file.contentType,
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
    res.send(Buffer.from(file.data));
  });
}
