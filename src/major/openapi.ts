/** OpenAPI paths of the major-incident, alert and problem APIs, from the zod schemas that validate them. */
import type { z } from 'zod';
import { alertmanagerPayload, genericAlertPayload } from '../alerts/payload.js';
import type { SchemaName } from '../http/openapi-schemas.js';
import { closeBody, problemCreateBody, problemLinkBody, workaroundBody } from '../problems/http.js';
import { createBody, linkBody, mergeBody } from './http.js';

type Body = (schema: z.ZodType) => object;
type Ok = (description: string, schema: SchemaName) => object;
type Errors = (...codes: number[]) => object;

export function majorOpenApiPaths(body: Body, ok: Ok, errors: Errors): Record<string, object> {
  const ref = { name: 'ref', in: 'path', required: true, schema: { type: 'string' }, description: 'MI-3, 3 or the uuid' };
  const problemRef = { ...ref, description: 'PRB-3, 3 or the uuid' };
  const agent = (summary: string, schema?: z.ZodType, answer: SchemaName = 'MajorIncident') => ({ summary, security: [{ apiToken: [] }], parameters: [ref], ...(schema ? { requestBody: body(schema) } : {}), responses: { 200: ok('the major incident', answer), ...errors(400, 401, 403, 404, 409) } });
  const problemAction = (summary: string, schema: z.ZodType, answer: SchemaName = 'Problem') => ({ summary, security: [{ apiToken: [] }], parameters: [problemRef], requestBody: body(schema), responses: { 200: ok('the problem', answer), ...errors(400, 401, 403, 404, 409) } });
  const alerts = { summary: '', security: [{ apiToken: [] }], responses: { 200: ok('counts per outcome', 'AlertOutcomes'), ...errors(400, 401, 403) } };
  return {
    '/api/v1/major-incidents': {
      get: { summary: 'Active major incidents (candidates and declared; ?status= for others)', security: [{ apiToken: [] }], parameters: [{ name: 'status', in: 'query', schema: { type: 'string' }, description: 'comma-separated: candidate, declared, resolved, dismissed' }], responses: { 200: ok('major incidents with incidentCount', 'MajorIncidentList'), ...errors(401) } },
      post: { summary: 'Raise (and by default declare) a major incident on a service, linking incidents', security: [{ apiToken: [] }], requestBody: body(createBody), responses: { 201: ok('the major incident', 'MajorIncident'), ...errors(400, 401, 403) } },
    },
    '/api/v1/major-incidents/{ref}': { get: { summary: 'A major incident with its child incidents', security: [{ apiToken: [] }], parameters: [ref], responses: { 200: ok('the major incident', 'MajorIncidentDetail'), ...errors(401, 404) } } },
    '/api/v1/major-incidents/{ref}/declare': { post: agent('Declare a candidate (agent)') },
    '/api/v1/major-incidents/{ref}/dismiss': { post: agent('Dismiss a candidate: its reports become ordinary incidents again') },
    '/api/v1/major-incidents/{ref}/link': { post: agent('Link incidents as children (INC-… or uuid)', linkBody) },
    '/api/v1/major-incidents/{ref}/unlink': { post: agent('Unlink children', linkBody, 'Unlinked') },
    '/api/v1/major-incidents/{ref}/merge': { post: agent('Merge into another major incident (children move)', mergeBody) },
    '/api/v1/alerts/alertmanager': { post: { ...alerts, summary: 'Prometheus Alertmanager webhook receiver (token role alerts)', requestBody: body(alertmanagerPayload) } },
    '/api/v1/alerts': { post: { ...alerts, summary: 'Alerts from any monitoring tool, generic JSON form (token role alerts); id is the deduplication key', requestBody: body(genericAlertPayload) } },
    '/api/v1/problems': {
      get: { summary: 'Problem records', security: [{ apiToken: [] }], responses: { 200: ok('problems', 'ProblemList'), ...errors(401) } },
      post: { summary: 'Open a problem, optionally linking incidents', security: [{ apiToken: [] }], requestBody: body(problemCreateBody), responses: { 201: ok('the problem', 'Problem'), ...errors(400, 401, 403) } },
    },
    '/api/v1/problems/{ref}': { get: { summary: 'A problem with its linked incidents', security: [{ apiToken: [] }], parameters: [problemRef], responses: { 200: ok('the problem', 'ProblemDetail'), ...errors(401, 404) } } },
    '/api/v1/problems/{ref}/link': { post: problemAction('Link incidents to the problem', problemLinkBody) },
    '/api/v1/problems/{ref}/workaround': { post: problemAction('Record the workaround / known error (published as a KB article for the service)', workaroundBody) },
    '/api/v1/problems/{ref}/close': { post: problemAction("Close the problem; the linked incidents' assignees are notified", closeBody, 'ClosedProblem') },
  };
}
