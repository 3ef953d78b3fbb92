import type { z } from 'zod';
import { FrontlineError } from '../errors.js';

/** Validates a request body or query; a mismatch is a 400 whose message names each offending field. */
export function parseRequest<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    throw new FrontlineError('BAD_REQUEST', why);
  }
  return parsed.data;
}
