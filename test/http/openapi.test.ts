import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/http/openapi.js';

type Operation = { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> };

const doc = openApiDocument('test') as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

/** Every route the server answers (issue #19.7: the document covers all of them, itself included). */
const ROUTES = [
  'get /api/v1/incidents', 'get /api/v1/incidents/{ref}', 'patch /api/v1/incidents/{ref}', 'get /api/v1/incidents/{ref}/transcript',
  'get /api/v1/incidents/{ref}/attachments/{id}', 'post /api/v1/incidents/{ref}/comments',
  'get /api/v1/admin/outbox', 'post /api/v1/admin/outbox/{id}/retry', 'get /api/v1/admin/tokens', 'post /api/v1/admin/tokens',
  'get /api/v1/admin/agents', 'put /api/v1/admin/agents/{key}', 'delete /api/v1/admin/agents/{key}',
  'get /api/v1/reports/deflection', 'get /api/v1/openapi.json',
  'get /webchat/v1/config', 'post /webchat/v1/conversations', 'post /webchat/v1/conversations/{id}/messages', 'get /webchat/v1/conversations/{id}/messages',
  'get /webchat/v1/conversations/{id}/events', 'post /webchat/v1/conversations/{id}/attachments', 'get /webchat/v1/conversations/{id}/attachments/{attachmentId}',
  'get /webchat/v1/conversations/{id}/reporter', 'put /webchat/v1/conversations/{id}/reporter',
  'get /healthz', 'get /readyz', 'get /metrics',
];

describe('OpenAPI document', () => {
  it('describes every route', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    expect(documented).toEqual(expect.arrayContaining(ROUTES));
  });

  it('gives every JSON answer a named schema that exists, never a bare object', () => {
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const schema = response.content?.['application/json']?.schema;
          if (!schema) continue;
          const ref = typeof schema.$ref === 'string' ? schema.$ref.replace('#/components/schemas/', '') : undefined;
          if (!ref || !(ref in doc.components.schemas)) problems.push(`${method} ${path} ${status}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has no dangling references', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    expect(refs.filter((r) => !(r in doc.components.schemas))).toEqual([]);
  });
});
