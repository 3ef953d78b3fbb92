import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { FrontlineError } from '../errors.js';
import { storable, storableText } from '../security/sanitize.js';

/** Validates a request body or query; a mismatch is a 400 whose message names each offending field. */
export function parseRequest<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    throw new FrontlineError('BAD_REQUEST', why);
  }
  return parsed.data;
}

/**
 * Mounted after the body parsers of every JSON route: strips from the body and the query string what the
 * database cannot store (see security/sanitize.ts), once, before any route validates or stores it.
 */
export const storableInput: RequestHandler = (req, _res, next) => {
  // Path parameters are identifiers, not text: a control character there is refused, not silently changed.
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    next(new FrontlineError('BAD_REQUEST', 'the URL path has malformed percent-encoding'));
    return;
  }
  if (storableText(path) !== path) {
    next(new FrontlineError('BAD_REQUEST', 'the URL path contains control characters'));
    return;
  }
  if (req.body !== undefined && !Buffer.isBuffer(req.body)) req.body = storable(req.body);
  const query = req.query;
  const clean = storable(query);
  // Express 5 computes req.query on every access: pin the cleaned copy on the request.
  if (clean !== query) Object.defineProperty(req, 'query', { value: clean, configurable: true, enumerable: true, writable: true });
  next();
};
