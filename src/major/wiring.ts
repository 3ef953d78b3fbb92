/**
 * Composition of the major-incident features (kept out of app.ts so the root stays short): the catalogue, the
 * clustering hook on every new incident, and the HTTP routes.
 */
import type { Express, RequestHandler } from 'express';
import type { Config } from '../config/load.js';
import type { Database, Tx } from '../db/database.js';
import type { IncidentService } from '../incidents/service.js';
import { loadServiceCatalog } from '../services/catalog.js';
import { alertsRouter } from '../alerts/http.js';
import { AlertService } from '../alerts/service.js';
import { majorIncidentsRouter } from './http.js';
import { MajorIncidentService } from './service.js';

export function createMajorIncidents(
  config: Pick<Config, 'MAJOR_INCIDENT_THRESHOLD' | 'MAJOR_INCIDENT_WINDOW' | 'MAJOR_INCIDENT_AUTO_DECLARE' | 'ALERTS_RESOLVE_INCIDENTS' | 'ALERTS_FLAP_WINDOW_MINUTES'>,
  incidents: IncidentService,
) {
  const catalog = loadServiceCatalog();
  const majors = new MajorIncidentService(catalog, {
    threshold: config.MAJOR_INCIDENT_THRESHOLD,
    windowMinutes: config.MAJOR_INCIDENT_WINDOW,
    autoDeclare: config.MAJOR_INCIDENT_AUTO_DECLARE,
  });
  // Every new incident, whatever filed it (dialog, API, alert), is clustered in its own transaction.
  incidents.onChange(async (tx, change) => {
    if (change.kind === 'created') await majors.onIncidentCreated(tx, change.incident);
  });
  const alerts = new AlertService(incidents, majors, { resolveIncidents: config.ALERTS_RESOLVE_INCIDENTS, flapWindowMinutes: config.ALERTS_FLAP_WINDOW_MINUTES });
  return {
    catalog,
    majors,
    alerts,
    mount(app: Express, db: Database, json: RequestHandler[], run: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, kick: () => void): void {
      app.use('/api/v1/major-incidents', ...json, majorIncidentsRouter(db, majors, run, kick));
      app.use('/api/v1/alerts', ...json, alertsRouter(db, alerts, run, kick));
    },
  };
}
