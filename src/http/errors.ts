import type { ErrorRequestHandler, RequestHandler } from 'express';
import { FrontlineError, isFrontlineError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Every error leaves as `{error: {code, message}}` with a 4xx/5xx status; nothing crashes the process. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = toFrontlineError(err);
    if (e.status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    else logger.debug({ code: e.code, method: req.method, url: req.originalUrl }, e.message);
    if (res.headersSent) {
      res.end();
      return;
    }
    // [runtime] Overload that got past admission (the database did not give a transaction in time): the client
    // may retry, as after a refusal; nothing was stored.
    if (e.code === 'DB_UNAVAILABLE') res.set('Retry-After', '2');
    res.status(e.status).json({ error: { code: e.code, message: e.status >= 500 ? 'internal error' : e.message } });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new FrontlineError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
};

/** JSON routes refuse other content types with 415 instead of silently reading an empty body. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody && !req.is('application/json')) {
    next(new FrontlineError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
    return;
  }
  next();
};

function toFrontlineError(err: unknown): FrontlineError {
  if (isFrontlineError(err)) return err;
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  // body-parser's errors carry a type; map them to clear client errors.
  if (e.type === 'entity.parse.failed') return new FrontlineError('INVALID_JSON', `malformed JSON body: ${e.message ?? ''}`.trim());
  if (e.type === 'entity.too.large') return new FrontlineError('PAYLOAD_TOO_LARGE', `request body exceeds ${e.limit ?? 'the'} byte limit`);
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new FrontlineError('UNSUPPORTED_MEDIA_TYPE', e.message ?? 'unsupported encoding');
  if (e.type === 'request.aborted') return new FrontlineError('BAD_REQUEST', 'request aborted');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new FrontlineError('BAD_REQUEST', e.message ?? 'bad request');
  // [runtime] Prisma P2028: no transaction within maxWait — the database is saturated, not broken.
  if ((err as { code?: string }).code === 'P2028') return new FrontlineError('DB_UNAVAILABLE', 'the server is busy; retry after Retry-After seconds');
  return new FrontlineError('INTERNAL', e.message ?? 'internal error');
}
