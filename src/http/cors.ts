import type { RequestHandler } from 'express';

/**
 * CORS for the public web chat API, so a site may talk to it from its own scripts. Tokens travel in the
 * Authorization header, never in cookies, so no credentials mode is needed.
 */
export function cors(allowedOrigins: string): RequestHandler {
  const list = allowedOrigins.split(',').map((o) => o.trim()).filter(Boolean);
  const any = list.includes('*');
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && (any || list.includes(origin))) {
      res.set({
        'Access-Control-Allow-Origin': any ? '*' : origin,
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key, X-Filename, Last-Event-ID',
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Max-Age': '600',
        ...(any ? {} : { Vary: 'Origin' }),
      });
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}
