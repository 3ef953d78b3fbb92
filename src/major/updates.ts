import { z } from 'zod';
import type { MajorIncident, Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { formatMajorIncidentNumber, getMajorIncident } from './records.js';

export const UPDATE_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
const text = z.string().trim().min(1).max(5_000);
const LANGS = ['en', 'sv', 'es', 'pt'] as const;

/** `POST /api/v1/major-incidents/:id/updates`: publicText is one text or one per language. */
export const updateBody = z
  .object({
    status: z.enum(UPDATE_STATUSES),
    publicText: z.union([text, z.partialRecord(z.enum(LANGS), text).refine((r) => Object.keys(r).length > 0, 'give at least one language')]),
    internalText: text.optional(),
    restricted: z.boolean().optional(),
    /** The language of a single publicText (default en). */
    language: z.enum(LANGS).optional(),
  })
  .strict();
export type UpdateInput = z.infer<typeof updateBody>;

export interface PostedUpdate {
  id: string;
  broadcastId: string;
  majorIncident: string;
}

/**
 * Records an update and its broadcast in the caller's transaction; the planner (broadcast/planner.ts) fans it
 * out afterwards. A `resolved` update resolves the major incident. Candidates get no updates: declare first.
 */
export async function postUpdate(tx: Tx, ref: string, input: UpdateInput, author: string, options: { automatic?: boolean; scope?: 'all' | 'reporters' } = {}): Promise<PostedUpdate> {
  const mi = await getMajorIncident(tx, ref);
  if (!mi) throw new FrontlineError('NOT_FOUND', `no major incident ${ref}`);
  await tx.$executeRaw`SELECT 1 FROM major_incident WHERE id = ${mi.id}::uuid FOR UPDATE`;
  if (mi.status !== 'declared') throw new FrontlineError('INVALID_TRANSITION', `${formatMajorIncidentNumber(mi.number)} is ${mi.status}: only a declared major incident gets updates`);
  const publicText = typeof input.publicText === 'string' ? { [input.language ?? 'en']: input.publicText } : input.publicText;
  const update = await tx.majorIncidentUpdate.create({
    data: {
      majorIncidentId: mi.id, status: input.status, publicText, internalText: input.internalText ?? null,
      restricted: input.restricted ?? false, author, automatic: options.automatic ?? false, scope: options.scope ?? 'all',
    },
    select: { id: true },
  });
  const broadcast = await tx.broadcast.create({ data: { updateId: update.id }, select: { id: true } });
  if (input.status === 'resolved') await tx.majorIncident.update({ where: { id: mi.id }, data: { status: 'resolved', resolvedAt: new Date() } });
  return { id: update.id, broadcastId: broadcast.id, majorIncident: formatMajorIncidentNumber(mi.number) };
}

export async function requireMajorIncident(tx: Tx, ref: string): Promise<MajorIncident> {
  const mi = await getMajorIncident(tx, ref);
  if (!mi) throw new FrontlineError('NOT_FOUND', `no major incident ${ref}`);
  return mi;
}
