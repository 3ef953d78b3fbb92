import { z } from 'zod';
import { agentBody } from './api/admin.js';
import { commentBody, listQuery, patchBody, tokenBody } from './api/schemas.js';
import { majorOpenApiPaths } from '../major/openapi.js'; // [major]

/** OpenAPI 3.1 description of the public APIs; request bodies come from the same zod schemas that validate them. */
export function openApiDocument(version: string) {
  const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const error = { $ref: '#/components/schemas/Error' };
  const errors = (...codes: number[]) =>
    Object.fromEntries(codes.map((c) => [String(c), { description: 'error', content: { 'application/json': { schema: error } } }]));
  const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: json(schema) } } });
  const ok = (description: string, schema: object = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
  const listParams = Object.keys(listQuery.shape).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }));
  const incidentRef = { name: 'ref', in: 'path', required: true, schema: { type: 'string' }, description: 'INC-000042, 42 or the uuid' };
  const conversationId = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const idempotencyKey = {
    name: 'Idempotency-Key', in: 'header', schema: { type: 'string', pattern: '^[\\w-]{8,100}$' },
    description: 'retry-safe key: the same key and body replay the first response; the same key with another body is a 422',
  };
  const agentKeyParam = { name: 'key', in: 'path', required: true, schema: { type: 'string' }, description: 'Slack user id (U…) or email' };
  const webchatMessage = {
    type: 'object',
    required: ['id', 'direction', 'author', 'text', 'createdAt'],
    properties: {
      id: { type: 'string' }, direction: { enum: ['in', 'out'] }, author: { type: 'string' }, text: { type: 'string' },
      choices: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, label: { type: 'string' } } } },
      attachments: { type: 'array', items: { type: 'object' } }, createdAt: { type: 'string', format: 'date-time' },
    },
  };
  const attachment = {
    type: 'object',
    properties: { id: { type: 'string' }, filename: { type: 'string' }, contentType: { type: 'string' }, size: { type: 'integer' }, createdAt: { type: 'string', format: 'date-time' }, url: { type: 'string', description: 'download (Bearer API token)' } },
  };
  const incidentDetail = { type: 'object', properties: { attachments: { type: 'array', items: attachment }, timeline: { type: 'array', items: { type: 'object' } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Frontline API', version, description: 'IT incident intake: incidents REST API and the public web chat API.' },
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'API token (frontline token create --role agent)' },
        webchatToken: { type: 'http', scheme: 'bearer', description: 'token returned when a web chat conversation is created' },
      },
      schemas: {
        Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
        WebchatMessage: webchatMessage,
      },
    },
    paths: {
      '/api/v1/incidents': {
        get: { summary: 'List incidents (newest first)', security: [{ apiToken: [] }], parameters: listParams, responses: { 200: ok('a page of incidents'), ...errors(400, 401) } },
      },
      '/api/v1/incidents/{ref}': {
        get: { summary: 'An incident with its timeline and attachments (download URLs)', security: [{ apiToken: [] }], parameters: [incidentRef], responses: { 200: ok('the incident', incidentDetail), ...errors(401, 404) } },
        patch: { summary: 'Change status, priority, assignee, or correct category, service, group, confidential, title, description (checked against the taxonomy)', security: [{ apiToken: [] }], parameters: [incidentRef], requestBody: body(patchBody), responses: { 200: ok('the updated incident'), ...errors(400, 401, 403, 404, 409) } },
      },
      '/api/v1/incidents/{ref}/transcript': {
        get: {
          summary: "The reporter's conversation (read_only tokens: non-confidential incidents only)", security: [{ apiToken: [] }], parameters: [incidentRef],
          responses: { 200: ok('the messages', { type: 'object', properties: { incident: { type: 'string' }, conversationId: { type: ['string', 'null'] }, messages: { type: 'array', items: { $ref: '#/components/schemas/WebchatMessage' } } } }), ...errors(401, 403, 404) },
        },
      },
      '/api/v1/incidents/{ref}/attachments/{id}': {
        get: { summary: 'Download a file of the incident (as an attachment, never rendered)', security: [{ apiToken: [] }], parameters: [incidentRef, { ...conversationId, description: 'attachment id' }], responses: { 200: { description: 'the file' }, ...errors(401, 403, 404) } },
      },
      '/api/v1/incidents/{ref}/comments': {
        post: { summary: 'Public reply to the reporter, or internal note', security: [{ apiToken: [] }], parameters: [incidentRef, idempotencyKey], requestBody: body(commentBody), responses: { 201: ok('the incident'), ...errors(400, 401, 403, 404, 422) } },
      },
      '/api/v1/admin/outbox': {
        get: { summary: 'Outbound messages by status (dead letters by default)', security: [{ apiToken: [] }], parameters: [{ name: 'status', in: 'query', schema: { enum: ['pending', 'sent', 'dead'] } }], responses: { 200: ok('outbox rows'), ...errors(401, 403) } },
      },
      '/api/v1/admin/outbox/{id}/retry': {
        post: { summary: 'Queue a dead letter again', security: [{ apiToken: [] }], parameters: [conversationId], responses: { 202: ok('queued'), ...errors(401, 403, 404) } },
      },
      '/api/v1/admin/tokens': {
        post: { summary: 'Create an API token (the secret is returned once)', security: [{ apiToken: [] }], requestBody: body(tokenBody), responses: { 201: ok('the token'), ...errors(400, 401, 403) } },
      },
      '/api/v1/admin/agents': {
        get: { summary: 'The agent override table (display name, email, active per Slack user id or email)', security: [{ apiToken: [] }], parameters: [{ name: 'channel', in: 'query', schema: { type: 'string' } }], responses: { 200: ok('overrides'), ...errors(401, 403) } },
      },
      '/api/v1/admin/agents/{key}': {
        put: { summary: 'Add or change an override (only the fields given change)', security: [{ apiToken: [] }], parameters: [agentKeyParam], requestBody: body(agentBody), responses: { 200: ok('the override'), ...errors(400, 401, 403) } },
        delete: { summary: 'Remove an override', security: [{ apiToken: [] }], parameters: [agentKeyParam, { name: 'channel', in: 'query', schema: { type: 'string' } }], responses: { 204: { description: 'removed' }, ...errors(401, 403, 404) } },
      },
      '/webchat/v1/conversations': {
        post: { summary: 'Start a web chat conversation (optionally naming the visitor)', requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { locale: { type: 'string' }, name: { type: 'string', description: 'typed by the visitor; shown as given' }, email: { type: 'string', format: 'email' }, user: { type: 'string', description: '<base64url JSON {name?, email?, exp?}>.<hex HMAC-SHA256> signed with WEBCHAT_IDENTITY_SECRET by the embedding page' } } } } } }, responses: { 201: ok('conversation', { type: 'object', properties: { conversationId: { type: 'string' }, token: { type: 'string' } } }), ...errors(400) } },
      },
      '/webchat/v1/conversations/{id}/messages': {
        post: {
          summary: 'Send a message (text, a quick-reply choice, or attachment ids)', security: [{ webchatToken: [] }], parameters: [conversationId, idempotencyKey],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { text: { type: 'string' }, choice: { type: 'string' }, attachments: { type: 'array', items: { type: 'string' } } } } } } },
          responses: { 202: ok('accepted (a retry with the same key and body replays this answer, with Idempotent-Replayed: true)', { type: 'object', properties: { messageId: { type: 'string' } } }), ...errors(400, 401, 403, 415, 422) },
        },
        get: {
          summary: 'Messages after a cursor', security: [{ webchatToken: [] }], parameters: [conversationId, { name: 'after', in: 'query', schema: { type: 'string' } }],
          responses: { 200: ok('messages', { type: 'object', properties: { messages: { type: 'array', items: { $ref: '#/components/schemas/WebchatMessage' } }, cursor: { type: 'string' } } }), ...errors(401, 403) },
        },
      },
      '/webchat/v1/conversations/{id}/events': {
        get: { summary: 'Server-Sent Events stream of messages (token as ?token= for EventSource)', parameters: [conversationId, { name: 'token', in: 'query', schema: { type: 'string' } }], responses: { 200: { description: 'text/event-stream of WebchatMessage' }, ...errors(401, 403) } },
      },
      '/webchat/v1/conversations/{id}/attachments': {
        post: { summary: 'Upload a file (raw body, X-Filename header)', security: [{ webchatToken: [] }], parameters: [conversationId], responses: { 201: ok('stored attachment'), ...errors(400, 401, 413) } },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: ok('alive') } } },
      '/readyz': { get: { summary: 'Readiness: database, migrations, channels', responses: { 200: ok('ready'), 503: ok('not ready') } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text/plain exposition format' } } } },
      ...majorOpenApiPaths(body, ok, errors), // [major]
    },
  };
}
