/**
 * `POST /api/v1/alerts/alertmanager` (Prometheus Alertmanager webhook receiver) and `POST /api/v1/alerts`
 * (generic JSON form). Bearer token with the `alerts` (or admin) role; every alert of a payload in one
 * transaction, so a retried delivery is deduplicated by fingerprint.
 */
import express, { type Router } from 'express';
import type { Database, Tx } from '../db/database.js';
import { requireOneOf } from '../http/auth.js';
import { parseRequest as parse } from '../http/validate.js';
import { alertmanagerPayload, fromAlertmanager, fromGeneric, genericAlertPayload, type NormalisedAlert } from './payload.js';
import type { AlertOutcome, AlertService } from './service.js';

export function alertsRouter(db: Database, alerts: AlertService, transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, onCommitted: () => void): Router {
  const router = express.Router();
  const take = async (list: NormalisedAlert[]) => {
    const outcomes = await transaction(async (tx) => {
      const out: AlertOutcome[] = [];
      for (const a of list) out.push(await alerts.receive(tx, a));
      return out;
    });
    onCommitted();
    const counts: Partial<Record<AlertOutcome, number>> = {};
    for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
    return { received: list.length, ...counts };
  };
  router.post('/alertmanager', requireOneOf(db, ['alerts', 'admin']), async (req, res) => {
    res.json(await take(fromAlertmanager(parse(alertmanagerPayload, req.body))));
  });
  router.post('/', requireOneOf(db, ['alerts', 'admin']), async (req, res) => {
    res.json(await take(fromGeneric(parse(genericAlertPayload, req.body))));
  });
  return router;
}
