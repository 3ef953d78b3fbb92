/** OpenAPI paths of the major-incident, alert and problem APIs, from the zod schemas that validate them. */
import type { z } from 'zod';
import { alertmanagerPayload, genericAlertPayload } from '../alerts/payload.js';
import { createBody, linkBody, mergeBody } from './http.js';

type Body = (schema: z.ZodType) => object;
type Ok = (description: string, schema?: object) => object;
type Errors = (...codes: number[]) => object;

export function majorOpenApiPaths(body: Body, ok: Ok, errors: Errors): Record<string, object> {
  const ref = { name: 'ref', in: 'path', required: true, schema: { type: 'string' }, description: 'MI-3, 3 or the uuid' };
  const agent = (summary: string, schema?: z.ZodType) => ({ summary, security: [{ apiToken: [] }], parameters: [ref], ...(schema ? { requestBody: body(schema) } : {}), responses: { 200: ok('the major incident'), ...errors(400, 401, 403, 404, 409) } });
  const alerts = { summary: '', security: [{ apiToken: [] }], responses: { 200: ok('counts per outcome: opened, duplicate, refired, resolved, ignored, unmapped'), ...errors(400, 401, 403) } };
  return {
    '/api/v1/major-incidents': {
      get: { summary: 'Active major incidents (candidates and declared; ?status= for others)', security: [{ apiToken: [] }], responses: { 200: ok('major incidents with incidentCount'), ...errors(401) } },
      post: { summary: 'Raise (and by default declare) a major incident on a service, linking incidents', security: [{ apiToken: [] }], requestBody: body(createBody), responses: { 201: ok('the major incident'), ...errors(400, 401, 403) } },
    },
    '/api/v1/major-incidents/{ref}': { get: { summary: 'A major incident with its child incidents', security: [{ apiToken: [] }], parameters: [ref], responses: { 200: ok('the major incident'), ...errors(401, 404) } } },
    '/api/v1/major-incidents/{ref}/declare': { post: agent('Declare a candidate (agent)') },
    '/api/v1/major-incidents/{ref}/dismiss': { post: agent('Dismiss a candidate: its reports become ordinary incidents again') },
    '/api/v1/major-incidents/{ref}/link': { post: agent('Link incidents as children (INC-… or uuid)', linkBody) },
    '/api/v1/major-incidents/{ref}/unlink': { post: agent('Unlink children', linkBody) },
    '/api/v1/major-incidents/{ref}/merge': { post: agent('Merge into another major incident (children move)', mergeBody) },
    '/api/v1/alerts/alertmanager': { post: { ...alerts, summary: 'Prometheus Alertmanager webhook receiver (token role alerts)', requestBody: body(alertmanagerPayload) } },
    '/api/v1/alerts': { post: { ...alerts, summary: 'Alerts from any monitoring tool, generic JSON form (token role alerts); id is the deduplication key', requestBody: body(genericAlertPayload) } },
  };
}
