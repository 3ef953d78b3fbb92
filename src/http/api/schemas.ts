import { z } from 'zod';
import { STATUSES } from '../../incidents/lifecycle.js';
import { PRIORITIES } from '../../sla/priority.js';

/** Request schemas of the REST API; the OpenAPI document is generated from these. */
export const listQuery = z
  .object({
    status: z.string().optional().describe('comma-separated statuses, e.g. new,assigned'),
    priority: z.string().optional().describe('comma-separated priorities, e.g. P1,P2'),
    assignee: z.string().optional(),
    assignmentGroup: z.string().optional(),
    category: z.string().optional(),
    q: z.string().max(200).optional().describe('text search in title and description'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().regex(/^\d+$/).optional().describe('nextCursor of the previous page'),
  })
  .strict();

export const patchBody = z
  .object({
    status: z.enum(STATUSES).optional(),
    priority: z.enum(PRIORITIES as [string, ...string[]]).optional(),
    impact: z.number().int().min(1).max(3).optional(),
    urgency: z.number().int().min(1).max(3).optional(),
    assignee: z.string().min(1).max(200).nullable().optional(),
    assignmentGroup: z.string().min(1).max(200).nullable().optional(),
    tier: z.enum(['L1', 'L2', 'L3']).optional(),
    resolution: z.string().max(10_000).optional(),
    // Classification corrections; category, service and assignmentGroup are checked against the taxonomy.
    category: z.string().min(1).max(100).nullable().optional().describe('a category id of dialogs/taxonomy.yaml'),
    service: z.string().min(1).max(100).nullable().optional().describe('a service id of the (new) category'),
    confidential: z.boolean().optional().describe('true moves the incident out of broad agent channels at once'),
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().trim().min(1).max(50_000).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });

export const commentBody = z
  .object({
    text: z.string().trim().min(1).max(20_000),
    internal: z.boolean().default(false).describe('internal notes are never shown to the reporter'),
    author: z.string().min(1).max(200).optional().describe('display name shown to the reporter; defaults to the token name'),
  })
  .strict();

export const tokenBody = z
  .object({ name: z.string().min(1).max(100), role: z.enum(['admin', 'agent', 'read_only', 'alerts']) })
  .strict();

