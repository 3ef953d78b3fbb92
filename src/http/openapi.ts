import { z } from 'zod';
import { agentBody } from './api/admin.js';
import { commentBody, listQuery, patchBody, tokenBody } from './api/schemas.js';
import { componentSchemas, type SchemaName } from './openapi-schemas.js';
import { majorOpenApiPaths } from '../major/openapi.js'; // [major]

/** OpenAPI 3.1 description of the public APIs; request bodies come from the same zod schemas that validate them. */
export function openApiDocument(version: string) {
  const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const error = { $ref: '#/components/schemas/Error' };
  const errors = (...codes: number[]) =>
    Object.fromEntries(codes.map((c) => [String(c), { description: 'error', content: { 'application/json': { schema: error } } }]));
  const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: json(schema) } } });
  // Every JSON answer names its schema (components.schemas), so clients can be generated from this document.
  const ok = (description: string, schema: SchemaName) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } });
  const listParams = Object.keys(listQuery.shape).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }));
  const incidentRef = { name: 'ref', in: 'path', required: true, schema: { type: 'string' }, description: 'INC-000042, 42 or the uuid' };
  const conversationId = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const idempotencyKey = {
    name: 'Idempotency-Key', in: 'header', schema: { type: 'string', pattern: '^[\\w-]{8,100}$' },
    description: 'retry-safe key: the same key and body replay the first response; the same key with another body is a 422',
  };
  const agentKeyParam = { name: 'key', in: 'path', required: true, schema: { type: 'string' }, description: 'Slack user id (U…) or email' };
  return {
    openapi: '3.1.0',
    info: { title: 'Frontline API', version, description: 'IT incident intake: incidents REST API and the public web chat API.' },
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'API token (frontline token create --role agent)' },
        webchatToken: { type: 'http', scheme: 'bearer', description: 'token returned when a web chat conversation is created' },
      },
      schemas: componentSchemas,
    },
    paths: {
      '/api/v1/incidents': {
        get: { summary: 'List incidents (newest first)', security: [{ apiToken: [] }], parameters: listParams, responses: { 200: ok('a page of incidents', 'IncidentPage'), ...errors(400, 401) } },
      },
      '/api/v1/incidents/{ref}': {
        get: { summary: 'An incident with its timeline and attachments (download URLs)', security: [{ apiToken: [] }], parameters: [incidentRef], responses: { 200: ok('the incident', 'IncidentDetail'), ...errors(401, 404) } },
        patch: { summary: 'Change status, priority, assignee, or correct category, service, group, confidential, title, description (checked against the taxonomy)', security: [{ apiToken: [] }], parameters: [incidentRef], requestBody: body(patchBody), responses: { 200: ok('the updated incident', 'Incident'), ...errors(400, 401, 403, 404, 409) } },
      },
      '/api/v1/incidents/{ref}/transcript': {
        get: {
          summary: "The reporter's conversation (read_only tokens: non-confidential incidents only)", security: [{ apiToken: [] }], parameters: [incidentRef],
          responses: { 200: ok('the messages', 'Transcript'), ...errors(401, 403, 404) },
        },
      },
      '/api/v1/incidents/{ref}/attachments/{id}': {
        get: { summary: 'Download a file of the incident (as an attachment, never rendered)', security: [{ apiToken: [] }], parameters: [incidentRef, { ...conversationId, description: 'attachment id' }], responses: { 200: { description: 'the file' }, ...errors(401, 403, 404) } },
      },
      '/api/v1/incidents/{ref}/comments': {
        post: { summary: 'Public reply to the reporter, or internal note', security: [{ apiToken: [] }], parameters: [incidentRef, idempotencyKey], requestBody: body(commentBody), responses: { 201: ok('the incident', 'Incident'), ...errors(400, 401, 403, 404, 422) } },
      },
      '/api/v1/admin/outbox': {
        get: { summary: 'Outbound messages by status (dead letters by default)', security: [{ apiToken: [] }], parameters: [{ name: 'status', in: 'query', schema: { enum: ['pending', 'sent', 'dead'] } }], responses: { 200: ok('outbox rows', 'OutboxPage'), ...errors(401, 403) } },
      },
      '/api/v1/admin/outbox/{id}/retry': {
        post: { summary: 'Queue a dead letter again', security: [{ apiToken: [] }], parameters: [conversationId], responses: { 202: ok('queued', 'Queued'), ...errors(401, 403, 404) } },
      },
      '/api/v1/admin/tokens': {
        get: { summary: 'API tokens (never their secrets); ?revoked=true includes revoked ones', security: [{ apiToken: [] }], parameters: [{ name: 'revoked', in: 'query', schema: { enum: ['true', 'false'] } }], responses: { 200: ok('tokens', 'ApiTokenList'), ...errors(401, 403) } },
        post: { summary: 'Create an API token (the secret is returned once)', security: [{ apiToken: [] }], requestBody: body(tokenBody), responses: { 201: ok('the token', 'CreatedToken'), ...errors(400, 401, 403) } },
      },
      '/api/v1/admin/agents': {
        get: { summary: 'The agent override table (display name, email, active per Slack user id or email)', security: [{ apiToken: [] }], parameters: [{ name: 'channel', in: 'query', schema: { type: 'string' } }], responses: { 200: ok('overrides', 'AgentOverrideList'), ...errors(401, 403) } },
      },
      '/api/v1/admin/agents/{key}': {
        put: { summary: 'Add or change an override (only the fields given change)', security: [{ apiToken: [] }], parameters: [agentKeyParam], requestBody: body(agentBody), responses: { 200: ok('the override', 'AgentOverride'), ...errors(400, 401, 403) } },
        delete: { summary: 'Remove an override', security: [{ apiToken: [] }], parameters: [agentKeyParam, { name: 'channel', in: 'query', schema: { type: 'string' } }], responses: { 204: { description: 'removed' }, ...errors(401, 403, 404) } },
      },
      '/api/v1/reports/deflection': {
        get: { summary: 'Self-service figures: KB suggestions shown, opened, helped, deflections', security: [{ apiToken: [] }], parameters: [{ name: 'since', in: 'query', schema: { type: 'string', format: 'date' } }], responses: { 200: ok('the figures', 'DeflectionStats'), ...errors(400, 401) } },
      },
      '/api/v1/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1 JSON' } } } },
      '/webchat/v1/config': { get: { summary: "The page's limits, title and locales", responses: { 200: ok('configuration', 'WebchatConfig') } } },
      '/webchat/v1/conversations': {
        post: { summary: 'Start a web chat conversation (optionally naming the visitor)', requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { locale: { type: 'string' }, name: { type: 'string', description: 'typed by the visitor; shown as given' }, email: { type: 'string', format: 'email' }, user: { type: 'string', description: '<base64url JSON {name?, email?, exp?}>.<hex HMAC-SHA256> signed with WEBCHAT_IDENTITY_SECRET by the embedding page' } } } } } }, responses: { 201: ok('conversation', 'WebchatConversation'), ...errors(400) } },
      },
      '/webchat/v1/conversations/{id}/messages': {
        post: {
          summary: 'Send a message (text, a quick-reply choice, or attachment ids)', security: [{ webchatToken: [] }], parameters: [conversationId, idempotencyKey],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { text: { type: 'string' }, choice: { type: 'string' }, attachments: { type: 'array', items: { type: 'string' } } } } } } },
          responses: { 202: ok('accepted (a retry with the same key and body replays this answer, with Idempotent-Replayed: true)', 'WebchatAccepted'), ...errors(400, 401, 403, 415, 422) },
        },
        get: {
          summary: 'Messages after a cursor', security: [{ webchatToken: [] }], parameters: [conversationId, { name: 'after', in: 'query', schema: { type: 'string' } }],
          responses: { 200: ok('messages', 'WebchatMessagePage'), ...errors(401, 403) },
        },
      },
      '/webchat/v1/conversations/{id}/events': {
        get: { summary: 'Server-Sent Events stream of messages (token as ?token= for EventSource)', parameters: [conversationId, { name: 'token', in: 'query', schema: { type: 'string' } }], responses: { 200: { description: 'text/event-stream of WebchatMessage' }, ...errors(401, 403) } },
      },
      '/webchat/v1/conversations/{id}/attachments': {
        post: { summary: 'Upload a file (raw body, X-Filename header)', security: [{ webchatToken: [] }], parameters: [conversationId], responses: { 201: ok('stored attachment', 'WebchatAttachment'), ...errors(400, 401, 413) } },
      },
      '/webchat/v1/conversations/{id}/attachments/{attachmentId}': {
        get: { summary: 'Download a file of the conversation (token as ?token= for plain links; never rendered inline)', parameters: [conversationId, { name: 'attachmentId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }, { name: 'token', in: 'query', schema: { type: 'string' } }], responses: { 200: { description: 'the file, as an attachment' }, ...errors(401, 403, 404) } },
      },
      '/webchat/v1/conversations/{id}/reporter': {
        get: { summary: "The visitor's name/email as agents see them, and the incident filed, if any", security: [{ webchatToken: [] }], parameters: [conversationId], responses: { 200: ok('reporter', 'ReporterDetails'), ...errors(401, 403) } },
        put: {
          summary: 'Leave a name and/or email (typed: shown to agents and used to reach the visitor, never to link people; a verified email is not replaced)', security: [{ webchatToken: [] }], parameters: [conversationId],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', minProperties: 1, additionalProperties: false, properties: { name: { type: 'string', maxLength: 100 }, email: { type: 'string', format: 'email', maxLength: 200 } } } } } }, responses: { 200: ok('reporter', 'ReporterDetails'), ...errors(400, 401, 403, 409) },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: ok('alive', 'Health') } } },
      '/readyz': { get: { summary: 'Readiness: database, migrations, channels', responses: { 200: ok('ready', 'Readiness'), 503: ok('not ready', 'Readiness') } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text/plain exposition format' } } } },
      ...majorOpenApiPaths(body, ok, errors), // [major]
    },
  };
}
