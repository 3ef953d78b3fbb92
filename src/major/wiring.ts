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
import { problemsRouter } from '../problems/http.js';
import { ProblemService } from '../problems/service.js';
import { majorIncidentsRouter } from './http.js';
import { MajorIncidentService } from './service.js';
import { formatMajorIncidentNumber } from './records.js';

export function createMajorIncidents(
  config: Pick<Config, 'MAJOR_INCIDENT_THRESHOLD' | 'MAJOR_INCIDENT_WINDOW' | 'MAJOR_INCIDENT_AUTO_DECLARE' | 'ALERTS_RESOLVE_INCIDENTS' | 'ALERTS_FLAP_WINDOW_MINUTES' | 'PROBLEM_RULE_MIN_INCIDENTS' | 'PROBLEM_RULE_DAYS'>,
  incidents: IncidentService,
) {
  const catalog = loadServiceCatalog();
  const majors = new MajorIncidentService(catalog, {
    threshold: config.MAJOR_INCIDENT_THRESHOLD,
    windowMinutes: config.MAJOR_INCIDENT_WINDOW,
    autoDeclare: config.MAJOR_INCIDENT_AUTO_DECLARE,
  });
  const problems = new ProblemService(incidents, catalog, { minIncidents: config.PROBLEM_RULE_MIN_INCIDENTS, days: config.PROBLEM_RULE_DAYS });
  // Every new incident, whatever filed it (dialog, API, alert), is clustered in its own transaction, then the
  // problem rule looks at it (with the service and major incident clustering gave it).
  incidents.onChange(async (tx, change) => {
    if (change.kind !== 'created') return;
    const outcome = await majors.onIncidentCreated(tx, change.incident);
    if (outcome.action === 'created' && outcome.major) {
      // The candidate is raised where agents triage: a note in the card thread of the latest earlier report
      // (the new report's own card is queued by the channel's listener after this one runs).
      const count = await tx.incident.count({ where: { majorIncidentId: outcome.major.id } });
      await incidents.comment(tx, outcome.decision?.peers[0] ?? change.incident.id, {
        text: `:rotating_light: Major incident candidate ${formatMajorIncidentNumber(outcome.major.number)} on ${outcome.major.serviceId}: ${count} similar reports (${outcome.decision?.reason ?? ''}). Declare: POST /api/v1/major-incidents/${formatMajorIncidentNumber(outcome.major.number)}/declare`,
        author: 'Frontline',
        internal: true,
      });
    }
    const current = await tx.incident.findUnique({ where: { id: change.incident.id } });
    if (current) await problems.onIncidentCreated(tx, current);
  });
  const alerts = new AlertService(incidents, majors, { resolveIncidents: config.ALERTS_RESOLVE_INCIDENTS, flapWindowMinutes: config.ALERTS_FLAP_WINDOW_MINUTES });
  return {
    catalog,
    majors,
    alerts,
    problems,
    mount(app: Express, db: Database, json: RequestHandler[], run: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, kick: () => void): void {
      app.use('/api/v1/major-incidents', ...json, majorIncidentsRouter(db, majors, run, kick));
      app.use('/api/v1/alerts', ...json, alertsRouter(db, alerts, run, kick));
      app.use('/api/v1/problems', ...json, problemsRouter(db, problems, run, kick));
    },
  };
}
