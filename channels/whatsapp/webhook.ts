import express, { type Router } from 'express';
import { FrontlineError } from '../../src/errors.js';
import { receiveWebhook, type WhatsAppRuntime } from './intake.js';
import { webhookItems, webhookSchema } from './payload.js';
import { sameSecret, validSignature } from './signature.js';

/**
 * `GET`: Meta's subscription handshake (echo `hub.challenge` when the verify token matches).
 * `POST`: events, signed over the raw body with the app secret. 200 only once every message is recorded, so
 * anything that fails is redelivered by Meta (and deduplicated by wamid when it arrives twice).
 */
export function webhookRouter(rt: WhatsAppRuntime): Router {
  const router = express.Router();
  router.get('/', (req, res) => {
    const q = req.query as Record<string, unknown>;
    const mode = q['hub.mode'];
    const token = q['hub.verify_token'];
    const challenge = q['hub.challenge'];
    if (mode === 'subscribe' && typeof token === 'string' && sameSecret(token, rt.settings.verifyToken) && typeof challenge === 'string') {
      res.type('text/plain').send(challenge);
      return;
    }
    res.sendStatus(403);
  });
  // Raw bytes: the signature covers the body exactly as sent. Meta posts up to ~3 MB batches.
  router.post('/', express.raw({ type: () => true, limit: '5mb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!validSignature(raw, req.get('x-hub-signature-256'), rt.settings.appSecret)) {
      throw new FrontlineError('UNAUTHORIZED', 'invalid or missing X-Hub-Signature-256');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new FrontlineError('INVALID_JSON', 'the webhook body is not JSON');
    }
    const body = webhookSchema.safeParse(json);
    if (!body.success) {
      throw new FrontlineError('BAD_REQUEST', `not a WhatsApp webhook: ${body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    try {
      const items = webhookItems(body.data);
      if (items.skipped) rt.host.logger.warn({ skipped: items.skipped }, 'WhatsApp webhook entries not understood; skipped');
      await receiveWebhook(rt, items);
      res.sendStatus(200);
    } catch (err) {
      rt.host.logger.error({ err }, 'WhatsApp webhook not recorded; Meta will redeliver');
      res.status(503).json({ error: { code: 'DB_UNAVAILABLE', message: 'not recorded; please redeliver' } });
    }
  });
  return router;
}
