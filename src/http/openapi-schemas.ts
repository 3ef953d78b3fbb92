/**
 * Response schemas of the OpenAPI document (`components.schemas`), written to match the presenters that shape
 * each answer (src/http/api/present.ts, the web chat presenter, the deflection report). The document test
 * checks that every JSON answer names one of these rather than a bare object.
 */
const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const int = { type: 'integer' } as const;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const list = (name: string) => ({ type: 'array', items: ref(name) });
const object = (properties: Record<string, object>, required = Object.keys(properties)) => ({ type: 'object', required, properties });

const incident = object({
  id: { type: 'string', format: 'uuid' },
  number: { type: 'string', example: 'INC-000042' },
  title: str, description: str, category: nullableStr, service: nullableStr,
  impact: { type: 'integer', minimum: 1, maximum: 3 }, urgency: { type: 'integer', minimum: 1, maximum: 3 },
  priority: { enum: ['P1', 'P2', 'P3', 'P4', 'P5'] },
  status: { enum: ['new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed', 'reopened', 'cancelled'] },
  tier: { enum: ['L1', 'L2', 'L3'] }, assignee: nullableStr, assignmentGroup: nullableStr, confidential: { type: 'boolean' },
  resolution: nullableStr, reporterId: str, originConversationId: nullableStr,
  sla: object({
    responseDueAt: nullableTime, firstRespondedAt: nullableTime, responseWarnedAt: nullableTime, responseBreachedAt: nullableTime,
    resolutionDueAt: nullableTime, resolutionWarnedAt: nullableTime, resolutionBreachedAt: nullableTime,
    pausedSince: nullableTime, pausedMinutes: int,
  }),
  createdAt: time, updatedAt: time, resolvedAt: nullableTime, closedAt: nullableTime,
});

const attachment = object(
  { id: str, filename: str, contentType: str, size: int, createdAt: time, url: { type: 'string', description: 'download URL' } },
  ['id', 'filename', 'contentType', 'size'],
);

export const componentSchemas = {
  Error: object({ error: object({ code: str, message: str }, ['code', 'message']) }),
  Incident: incident,
  IncidentPage: object({ items: list('Incident'), nextCursor: { ...nullableStr, description: 'pass as ?cursor= for the next page' } }),
  IncidentEvent: object({ id: str, type: str, actor: str, internal: { type: 'boolean' }, body: nullableStr, data: {}, createdAt: time }),
  DeliveryStatus: object({ channel: str, address: str, failingSince: nullableTime, lastBounceAt: nullableTime, status: nullableStr, reason: nullableStr, count: int }),
  IncidentDetail: {
    allOf: [
      ref('Incident'),
      object({ reporterDelivery: list('DeliveryStatus'), attachments: list('Attachment'), timeline: list('IncidentEvent') }),
    ],
  },
  Attachment: attachment,
  Transcript: object({ incident: str, conversationId: nullableStr, messages: list('WebchatMessage') }),
  OutboxRow: object({
    id: str, conversationId: nullableStr, channel: str, status: { enum: ['pending', 'sent', 'dead'] }, attempts: int,
    lastError: nullableStr, nextAttemptAt: time, createdAt: time, sentAt: nullableTime, payload: { type: 'object' },
  }),
  OutboxPage: object({ items: list('OutboxRow') }),
  Queued: object({ id: str, status: { const: 'pending' } }),
  ApiToken: object({ id: str, name: str, role: { enum: ['admin', 'agent', 'read_only'] }, createdAt: time, lastUsedAt: nullableTime, revokedAt: nullableTime }),
  ApiTokenList: object({ items: list('ApiToken') }),
  CreatedToken: object({ id: str, token: { type: 'string', description: 'shown once; store it now' }, name: str, role: str }),
  AgentOverride: object({ channel: str, key: str, displayName: nullableStr, email: nullableStr, active: { type: 'boolean' }, updatedAt: time }, ['key', 'displayName', 'email', 'active']),
  AgentOverrideList: object({ items: list('AgentOverride') }),
  DeflectionStats: object({
    since: nullableStr, conversationsWithSuggestions: int, suggested: int, opened: int, clickThroughRate: { type: 'number' },
    answered: int, helped: int, deflections: int, deflectionRate: { type: 'number' },
    byLanguage: { type: 'array', items: object({ language: str, suggested: int, opened: int, helped: int, notHelped: int }) },
    topArticles: { type: 'array', items: object({ articleId: str, opened: int, helped: int, notHelped: int }) },
  }),
  WebchatMessage: object(
    {
      id: str, direction: { enum: ['in', 'out'] }, author: { type: 'string', description: 'reporter, bot, system or agent:<name>' }, text: str,
      choices: { type: 'array', items: object({ id: str, label: str }) },
      attachments: { type: 'array', items: object({ id: str, filename: str, contentType: str, size: int, url: str }, ['filename', 'contentType', 'size']) },
      createdAt: time,
    },
    ['id', 'direction', 'author', 'text', 'createdAt'],
  ),
  WebchatMessagePage: object({ messages: list('WebchatMessage'), cursor: str }),
  WebchatConversation: object({ conversationId: str, token: { type: 'string', description: 'send as Authorization: Bearer' } }),
  WebchatAccepted: object({ messageId: nullableStr }),
  WebchatConfig: object({ maxAttachmentBytes: int, maxTextLength: int, title: str, locale: str, locales: { type: 'array', items: str } }),
  WebchatAttachment: object({ id: str, filename: str, contentType: str, size: int, url: str }),
  ReporterDetails: object({ name: nullableStr, email: nullableStr, emailVerified: { type: 'boolean' }, incidentNumber: nullableStr }),
  MajorIncident: object(
    {
      id: str, number: { type: 'string', example: 'MI-3' }, service: str, ci: nullableStr, title: str,
      status: { enum: ['candidate', 'declared', 'resolved', 'dismissed'] }, restricted: { type: 'boolean' },
      declaredAt: nullableTime, declaredBy: nullableStr, resolvedAt: nullableTime, createdAt: time, incidentCount: int,
    },
    ['id', 'number', 'service', 'ci', 'title', 'status', 'restricted', 'declaredAt', 'declaredBy', 'resolvedAt', 'createdAt'],
  ),
  MajorIncidentList: object({ items: list('MajorIncident') }),
  MajorIncidentDetail: { allOf: [ref('MajorIncident'), object({ incidents: list('Incident') })] },
  Unlinked: object({ unlinked: int }),
  AlertOutcomes: object(
    { received: int, opened: int, duplicate: int, refired: int, resolved: int, ignored: int, unmapped: int },
    ['received'],
  ),
  Problem: object({
    id: str, number: { type: 'string', example: 'PRB-2' }, title: str, service: nullableStr, ci: nullableStr, status: str,
    workaround: nullableStr, kbArticleId: nullableStr, createdBy: str, resolution: nullableStr, closedAt: nullableTime, createdAt: time,
  }),
  ProblemList: object({ items: list('Problem') }),
  ProblemDetail: { allOf: [ref('Problem'), object({ incidents: { type: 'array', items: object({ number: str, status: str, assignee: nullableStr }) } })] },
  ClosedProblem: { allOf: [ref('Problem'), object({ notified: int })] },
  Health: object({ status: str }, ['status']),
  Readiness: object({
    status: { enum: ['ready', 'not ready'] },
    checks: { type: 'object', description: 'database, migrations, channel:<name>, …', additionalProperties: object({ ok: { type: 'boolean' }, detail: str }, ['ok']) },
  }),
} as const;

export type SchemaName = keyof typeof componentSchemas;
