import { z } from 'zod';
import type { Database, Prisma } from '../db/database.js';
import type { ApiPrincipal } from '../http/auth.js';
import { OPEN_STATUSES, STATUSES } from '../incidents/lifecycle.js';
import { formatIncidentNumber } from '../incidents/number.js';

export const queueQuery = z.object({
  status: z.string().regex(/^(open|all|[a-z_]+(,[a-z_]+)*)$/).default('open'),
  priority: z.string().regex(/^P[1-5](,P[1-5])*$/).optional(),
  group: z.string().max(200).optional(),
  /** `mine`, `unassigned`, or an assignee's name. */
  assignee: z.string().max(200).optional(),
  channel: z.string().regex(/^[a-z]+$/).optional(),
  category: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The console's queue: what the list API gives, plus the reporter's channel, and "mine"/"unassigned". */
export async function queue(db: Database, principal: ApiPrincipal, q: z.infer<typeof queueQuery>) {
  const statuses = q.status === 'open' ? [...OPEN_STATUSES] : q.status === 'all' ? [...STATUSES] : q.status.split(',').filter((s) => (STATUSES as readonly string[]).includes(s));
  const me = principal.actor?.replace(/^console:/, '') ?? principal.name;
  const readOnly = principal.role === 'read_only';
  const groups = principal.role === 'admin' ? undefined : principal.groups;
  const and: Prisma.IncidentWhereInput[] = [{ status: { in: statuses as never } }];
  if (readOnly) and.push({ confidential: false });
  else if (groups) and.push({ OR: [{ confidential: false }, { assignmentGroup: { in: groups } }] });
  if (q.priority) and.push({ priority: { in: q.priority.split(',') } });
  if (q.group) and.push({ assignmentGroup: q.group });
  if (q.assignee === 'mine') and.push({ assignee: me });
  else if (q.assignee === 'unassigned') and.push({ assignee: null });
  else if (q.assignee) and.push({ assignee: q.assignee });
  if (q.category) and.push({ category: q.category });
  if (q.channel) and.push({ originConversation: { channel: q.channel } });
  if (q.q) {
    const number = /^(?:INC-)?0*(\d{1,9})$/i.exec(q.q.trim());
    and.push({ OR: [{ title: { contains: q.q, mode: 'insensitive' } }, { description: { contains: q.q, mode: 'insensitive' } }, ...(number ? [{ number: Number(number[1]) }] : [])] });
  }
  const rows = await db.prisma.incident.findMany({
    where: { AND: and },
    orderBy: [{ priority: 'asc' }, { number: 'desc' }],
    take: q.limit,
    include: { originConversation: { select: { channel: true } } },
  });
  return rows.map((i) => {
    const hide = readOnly && i.confidential;
    return {
      number: formatIncidentNumber(i.number), title: hide ? '(confidential)' : i.title, status: i.status, priority: i.priority,
      assignee: i.assignee, assignmentGroup: i.assignmentGroup, category: i.category, confidential: i.confidential,
      channel: i.originConversation?.channel ?? null, updatedAt: i.updatedAt.toISOString(), createdAt: i.createdAt.toISOString(),
      sla: {
        responseDueAt: i.responseDueAt?.toISOString() ?? null, firstRespondedAt: i.firstRespondedAt?.toISOString() ?? null,
        resolutionDueAt: i.resolutionDueAt?.toISOString() ?? null, pausedSince: i.slaPausedAt?.toISOString() ?? null,
        warned: Boolean(i.slaWarnedAt || (i.responseWarnedAt && !i.firstRespondedAt)), breached: Boolean(i.slaBreachedAt || (i.responseBreachedAt && !i.firstRespondedAt)),
      },
    };
  });
}
