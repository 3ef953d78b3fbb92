import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import express, { type Express } from 'express';
import { WebchatAdapter } from '../channels/webchat/adapter.js';
import type { ChannelAdapter } from '../channels/types.js';
import type { Config } from './config/load.js';
import { type Database, openDatabase, type Tx } from './db/database.js';
import { EmbeddedStatistics } from './db/statistics.js';
import { loadDialogs } from './dialog/catalog.js';
import { deflectionRouter } from './dialog/deflection.js'; // [dialog]
import { kbPageRouter } from './kb/page.js'; // [dialog]
import { createDialogServices } from './dialog/services.js'; // [dialog] triage, KB, SLA for the dialog actions
import { DialogRunner } from './dialog/runner.js';
import { adminRouter } from './http/api/admin.js';
import { incidentsRouter } from './http/api/incidents.js';
import { cors } from './http/cors.js';
import { errorHandler, notFound, requireJson } from './http/errors.js';
import { healthRouter } from './http/health.js';
import { storableInput } from './http/validate.js';
import { createNoticeFallback } from './outbox/fallback.js';
import { webchatRateLimits } from './http/rate-limits.js';
import { AdmissionGate } from './http/admission.js'; // [runtime]
import { openApiDocument } from './http/openapi.js';
import { IncidentService } from './incidents/service.js';
import { createChannelHost } from './intake/host.js';
import { createLookups } from './intake/lookups.js';
import { createBlobStore } from './intake/blobs.js';
import { Housekeeping } from './jobs/housekeeping.js';
import { IdleDialogs } from './jobs/idle-dialogs.js'; // [sla-timers]
import { SlaTimers } from './jobs/sla-timers.js'; // [sla-timers]
import { Timers } from './jobs/timers.js'; // [sla-timers]
import { IntakePipeline } from './intake/pipeline.js';
import { createLogger, type Logger } from './logger.js';
import { createLlmLayer } from './llm/index.js'; // [llm]
import { TriageOpinion } from './llm/triage-opinion.js'; // [llm]
import { createMetrics, type Metrics } from './metrics.js';
import { ReporterNotifier } from './notifications/reporter.js';
import { OutboxDispatcher } from './outbox/dispatcher.js';
import { resolveSecret } from './secret.js';
import { createMajorIncidents } from './major/wiring.js'; // [major]
import type { MajorIncidentService } from './major/service.js'; // [major]
import { accountsRouter } from './accounts/routes.js'; // [console]
import { auditIncidentChange } from './audit/incident-changes.js'; // [audit]
import { auditRouter } from './audit/routes.js'; // [audit]
import { ensureAuditAppendOnly } from './audit/append-only.js'; // [audit]
import { consoleRouter } from './console/router.js'; // [console]
import { kbEditorRouter } from './console/kb-routes.js'; // [console]
import { reportsRouter } from './reports/routes.js'; // [reports]
import { createBroadcastFailover } from './broadcast/failover.js'; // [mib]
import { BroadcastPlanner } from './broadcast/planner.js'; // [mib]
import { scheduleMajorCadence } from './jobs/major-cadence.js'; // [mib]
import { remindOverdue } from './major/updates-cadence.js'; // [mib]
import { majorUpdatesRouter } from './major/updates-routes.js'; // [mib]
import { statusRouter } from './status/routes.js'; // [mib]
import { subscriptionsRouter } from './subscriptions/routes.js'; // [mib]
import { chatSubscriptionCommands } from './subscriptions/chat.js'; // [mib]

export const VERSION = '0.1.0';

export interface Frontline {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Database;
  app: Express;
  pipeline: IntakePipeline;
  incidents: IncidentService;
  dispatcher: OutboxDispatcher;
  /** [mib] Fans major-incident updates out into the outbox. */
  broadcasts: BroadcastPlanner;
  channels: Map<string, ChannelAdapter>;
  /** [sla-timers] pg-boss timer jobs: SLA milestones, auto-close, dialog reminders. */
  timers: Timers;
  /** [major] clustering, major incidents, alerts and problems. */
  majors: MajorIncidentService;
  /** Starts the HTTP server; resolves with the bound port. */
  listen(): Promise<number>;
  /** Graceful stop: refuse new requests, stop channels, drain the dispatcher, close the database. */
  close(): Promise<void>;
}

export interface FrontlineOptions {
  logger?: Logger;
  /** Extra channel adapters (Slack, email, terminal…) besides the built-in web chat. */
  channels?: ChannelAdapter[];
  /** Whether this instance delivers outbox messages (default true). */
  dispatch?: boolean;
  /** Dialog new conversations start with (default: FRONTLINE_DIALOG, i.e. the guided report flow). */
  dialog?: string;
  /**
   * Embedded database held by a running server: work through that server's socket instead of refusing
   * (`frontline chat` next to `frontline start`). Not for servers: one of them runs the database.
   */
  attach?: boolean;
}

/** The composition root: wires database, dialog engine, pipeline, outbox, HTTP server and channels. */
export async function createFrontline(config: Config, options: FrontlineOptions = {}): Promise<Frontline> {
  const logger = options.logger ?? createLogger(config);
  const metrics = createMetrics();
  const db = await openDatabase(config, logger, { attach: options.attach ?? false });
  let closeTimers: () => Promise<void> = async () => {}; // [sla-timers]
  try {
    await ensureAuditAppendOnly(db); // [audit]
    const { dialogs, t, locales } = await loadDialogs();
    // [dialog] SLA config, triage and KB search for the dialog's actions (src/dialog/services.ts).
    const dialogServices = await createDialogServices(db, { modelDir: config.TRIAGE_MODEL_DIR });
    const notifier = new ReporterNotifier(t);
    const incidents = new IncidentService(notifier, { matrix: dialogServices.sla.matrix, sla: dialogServices.sla.policy, requestSla: dialogServices.sla.requestPolicy, clock: dialogServices.sla.clock, taxonomy: dialogServices.taxonomy });
    const major = createMajorIncidents(config, incidents); // [major] services.yaml validated here, at start
    // [dialog] channel capabilities: email (not conversational) files a complete report at once.
    const runner = new DialogRunner(dialogs, options.dialog ?? config.FRONTLINE_DIALOG, { ...dialogServices, incidents, majors: major.majors, channelCapabilities: (name) => channels.get(name)?.capabilities,
      articleUrl: (id) => (config.PUBLIC_URL ? new URL(`kb/articles/${encodeURIComponent(id)}`, config.PUBLIC_URL.replace(/\/?$/, '/')).toString() : undefined) }); // [dialog] "open the full article"
    notifier.announcedBy((tx, conversationId, status) => runner.announces(tx, conversationId, status)); // [dialog] one message per change
    incidents.onChange((tx, change) => runner.onIncidentChange(tx, change)); // [dialog] e.g. resolved → CSAT
    const channels = new Map<string, ChannelAdapter>();
    const llm = createLlmLayer(config, db.pool, metrics.registry, logger.child({ component: 'llm' })); // [llm] off unless LLM_MODEL
    const dispatcher = new OutboxDispatcher(db.pool, channels, {
      maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      baseDelayMs: config.OUTBOX_BASE_DELAY_MS,
      maxDelayMs: config.OUTBOX_MAX_DELAY_MS,
      pollMs: config.OUTBOX_POLL_MS,
      leaseMs: config.OUTBOX_LEASE_MS,
      concurrency: config.OUTBOX_CONCURRENCY,
      // [mib] Broadcast deliveries fail over on their own (broadcast/failover.ts), also when dead for other reasons.
      onUnreachable: (failed) => (failed.idempotencyKey.startsWith('bc:') ? Promise.resolve() : noticeFallback(failed)),
      onDead: (failed) => broadcastFailover(failed),
      prepare: llm.prepare, // [llm] send-time translation (outside transactions); strips the hints when off
    }, metrics, logger.child({ component: 'outbox' }));
    dispatcher.setMaxListeners(0); // one listener per open web chat stream
    const kick = () => dispatcher.kick();
    const pipeline = new IntakePipeline(db, runner, metrics, logger.child({ component: 'intake' }), kick);
    // A reporter unreachable where they reported gets the notice on their next channel (outbox/fallback.ts).
    const noticeFallback = createNoticeFallback({
      transaction: async (fn) => {
        const result = await pipeline.transaction(fn);
        kick();
        return result;
      },
      channels,
      order: config.NOTICE_FALLBACK_CHANNELS.split(','),
      logger: logger.child({ component: 'outbox' }),
    });
    // [mib] Major-incident updates: planner (recipients → outbox rows), failover of dead deliveries.
    const catalog = major.catalog; // the one services.yaml load (major/wiring.ts)
    const secret = await resolveSecret(config);
    let boundPort = config.PORT; // the real port once listening (PORT=0 picks one)
    const baseUrl = () => (config.PUBLIC_URL ?? `http://${config.HOST}:${boundPort}`).replace(/\/$/, '');
    const fallbackOrder = config.NOTICE_FALLBACK_CHANNELS.split(',');
    const broadcasts = new BroadcastPlanner({
      transaction: (fn) => pipeline.transaction(fn), channels, catalog, order: fallbackOrder, secret, get baseUrl() { return baseUrl(); },
      kick, logger: logger.child({ component: 'broadcast' }), pollMs: Math.max(200, config.OUTBOX_POLL_MS * 2),
    });
    pipeline.handleCommands(chatSubscriptionCommands(catalog)); // [mib] `subscribe <service>` in any chat
    const broadcastFailover = createBroadcastFailover({ transaction: (fn) => pipeline.transaction(fn), channels, order: fallbackOrder, kick, logger: logger.child({ component: 'broadcast' }) });
    // [sla-timers] pg-boss on the same database, before any incident can change: changes queue their SLA
    // milestones in their own transaction.
    const run = <T>(fn: (tx: Tx) => Promise<T>) => pipeline.transaction(fn);
    // Running jobs get half the shutdown budget; the channels and the outbox drain need the rest.
    const stopTimeoutMs = Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS / 2);
    const timers = await Timers.open(db, { work: config.SLA_TIMERS_ENABLED, pollSeconds: config.SLA_TIMERS_POLL_SECONDS, stopTimeoutMs }, logger.child({ component: 'timers' }));
    closeTimers = () => timers.stop();
    const slaTimers = new SlaTimers(timers.boss, run, incidents, dialogServices.sla, logger.child({ component: 'sla' }));
    incidents.onChange(slaTimers.onIncidentChange);
    incidents.onChange(auditIncidentChange); // [audit] every change by a person or token, in its transaction
    // [llm] triage second opinion for reports the classifier was unsure of (a job queued with the filing).
    if (llm.client?.enabled('triage')) {
      const opinion = new TriageOpinion(llm.client, timers.boss, dialogServices.taxonomy, dialogServices.triage, incidents, run, logger.child({ component: 'llm' }));
      await TriageOpinion.install(timers.boss, opinion, { work: config.SLA_TIMERS_ENABLED, pollSeconds: config.SLA_TIMERS_POLL_SECONDS });
      incidents.onChange(opinion.onIncidentChange);
    }

    let shuttingDown = false;
    const app = express();
    app.disable('x-powered-by');
    if (config.TRUST_PROXY) app.set('trust proxy', config.TRUST_PROXY);
    app.use(healthRouter(db, () => [...channels.values()], metrics, () => shuttingDown, llm.checks)); // [llm]
    app.use(storableInput); // query strings of every route; JSON bodies again once parsed (below)
    const json = [requireJson, express.json({ limit: config.HTTP_BODY_LIMIT, type: 'application/json' }), storableInput];
    app.get('/api/v1/openapi.json', (_req, res) => {
      res.json(openApiDocument(VERSION));
    });
    app.use('/api/v1/incidents', ...json, incidentsRouter(db, incidents, pipeline, kick));
    app.use('/api/v1/admin', ...json, adminRouter(db, kick));
    app.use('/api/v1/reports', deflectionRouter(db)); // [dialog] KB deflection and click-through
    major.mount(app, db, json, run, kick); // [major] /api/v1/major-incidents, /api/v1/alerts, /api/v1/problems
    app.use('/api/v1/admin', ...json, accountsRouter(db), auditRouter(db)); // [console] [audit]
    app.use('/api/v1/reports', reportsRouter(db)); // [reports]
    app.use('/api/v1/kb', ...json, kbEditorRouter(db)); // [console] KB editor
    const consolePages = consoleRouter({ // [console]
      db, incidents, sessionHours: config.CONSOLE_SESSION_HOURS, loginRateLimitPerMinute: config.CONSOLE_LOGIN_RATE_LIMIT_PER_MINUTE,
      lockout: { maxFailures: config.CONSOLE_LOGIN_MAX_FAILURES, lockoutMinutes: config.CONSOLE_LOCKOUT_MINUTES },
      secureCookies: config.PUBLIC_URL?.startsWith('https:') ?? false,
    });
    app.use('/console', consolePages.router);
    app.use('/kb', kbPageRouter(db)); // [dialog] the full KB article a conversation links to
    // [mib] updates + delivery reports, subscriptions and groups, the status page and maintenance.
    const subscriptionDeps = { catalog, channels, secret, get baseUrl() { return baseUrl(); } };
    app.use('/api/v1/major-incidents', ...json, majorUpdatesRouter(db, { run, catalog, cadence: dialogServices.sla.updateCadenceMinutes, planned: () => broadcasts.kick() }));
    app.use('/api/v1', subscriptionsRouter(db, { ...subscriptionDeps, get baseUrl() { return baseUrl(); }, run, committed: kick }));
    app.use(statusRouter(db, { ...subscriptionDeps, get baseUrl() { return baseUrl(); }, run, public: config.STATUS_PAGE_PUBLIC, subscribeLimits: { perMinute: config.STATUS_SUBSCRIBE_RATE_LIMIT_PER_MINUTE, perAddressPerHour: config.STATUS_SUBSCRIBE_RATE_LIMIT_PER_ADDRESS_PER_HOUR }, committed: kick }));
    app.use('/webchat/v1', cors(config.WEBCHAT_ALLOWED_ORIGINS));
    // The web chat is public: cap what one client can write (see http/rate-limits.ts; reads are free).
    for (const limit of webchatRateLimits(config.WEBCHAT_RATE_LIMIT_PER_MINUTE)) app.use('/webchat/v1', limit);
    // [runtime] Over the in-flight budget, writes are refused before their body is read (http/admission.ts).
    // Embedded: one connection, shared with the outbox; more writes in flight only delay the replies' delivery.
    const maxInFlight = config.WEBCHAT_MAX_IN_FLIGHT ?? (db.kind === 'pglite' ? 8 : 2 * config.DATABASE_POOL_SIZE);
    const admission = new AdmissionGate({ maxInFlight, maxQueued: config.WEBCHAT_MAX_QUEUED, maxWaitMs: config.WEBCHAT_MAX_QUEUE_WAIT_MS }, () => metrics.admissionRefused.inc());
    app.use('/webchat/v1', admission.middleware((method) => method === 'POST'));
    // Uploads read their own raw body; every other web chat route is JSON.
    const webchatJson = express.Router().use(...json);
    app.use('/webchat/v1', (req, res, next) => (/\/attachments(\/|$)/.test(req.path) ? next() : webchatJson(req, res, next)));

    const host = createChannelHost({ db, pipeline, dispatcher, incidents, app, logger, channels, majors: major.majors });
    const adapters: ChannelAdapter[] = [];
    if (config.WEBCHAT_ENABLED) {
      adapters.push(new WebchatAdapter({
        secret: await resolveSecret(config),
        maxAttachmentBytes: config.WEBCHAT_MAX_ATTACHMENT_BYTES,
        tokenTtlDays: config.WEBCHAT_TOKEN_TTL_DAYS,
        title: '', // the page's own title, in the reporter's language
        locales,
        pollMs: 1_000,
        ...(config.WEBCHAT_IDENTITY_SECRET ? { identitySecret: config.WEBCHAT_IDENTITY_SECRET } : {}),
      }));
    }
    adapters.push(...(options.channels ?? []));
    for (const adapter of adapters) {
      if (channels.has(adapter.name)) throw new Error(`two channels named ${adapter.name}`);
      channels.set(adapter.name, adapter);
      await adapter.start({ ...host, state: createLookups(db).stateFor(adapter.name), blobs: createBlobStore(db, adapter.name), logger: logger.child({ channel: adapter.name }) });
    }
    app.use(notFound);
    app.use(errorHandler(logger));
    if (options.dispatch !== false) dispatcher.start();
    if (options.dispatch !== false) broadcasts.start(); // [mib]
    // PGlite has no autovacuum: keep the planner's statistics fresh ourselves.
    // The server that runs the embedded database keeps its statistics; a process attached to it need not.
    const statistics = db.kind === 'pglite' && db.attachedTo === undefined ? new EmbeddedStatistics(db.pool, logger.child({ component: 'statistics' })) : undefined;
    statistics?.start();
    // [sla-timers] workers after the channels, so notices they queue have somewhere to go.
    await timers.work(
      slaTimers,
      new IdleDialogs(run, runner, dialogs.values(), logger.child({ component: 'idle' })),
      new Housekeeping(db, () => channels.values(), config.INBOUND_EVENT_RETENTION_DAYS, config.AUDIT_RETENTION_DAYS),
    );
    // [mib] §8 update cadence: a cron job every minute.
    await scheduleMajorCadence(timers.boss, { work: config.SLA_TIMERS_ENABLED, pollSeconds: config.SLA_TIMERS_POLL_SECONDS },
      () => remindOverdue(run, catalog, dialogServices.sla.updateCadenceMinutes, logger.child({ component: 'cadence' })), logger);

    let server: Server | undefined;
    const sockets = new Set<Socket>();
    return {
      config, logger, metrics, db, app, pipeline, incidents, dispatcher, channels, timers, broadcasts, majors: major.majors,
      listen: () =>
        new Promise<number>((resolve, reject) => {
          server = app.listen(config.PORT, config.HOST, (err?: Error) => {
            if (err) return reject(err);
            const address = server!.address();
            boundPort = typeof address === 'object' && address ? address.port : config.PORT; // [mib] links in broadcasts
            resolve(boundPort);
          });
          server.on('connection', (s) => {
            sockets.add(s);
            s.on('close', () => sockets.delete(s));
          });
          server.on('error', reject);
        }),
      async close() {
        shuttingDown = true;
        consolePages.close(); // [console]
        await timers.stop(); // [sla-timers] first: running jobs finish before anything closes
        const closing = server ? new Promise<void>((r) => server!.close(() => r())) : Promise.resolve();
        // Open SSE streams never end by themselves; idle keep-alive sockets would hold close() forever.
        server?.closeIdleConnections();
        for (const s of sockets) if (!s.destroyed) s.destroy();
        await closing;
        for (const adapter of adapters) await adapter.stop().catch((err) => logger.warn({ err, channel: adapter.name }, 'channel stop failed'));
        await broadcasts.stop(); // [mib]
        await dispatcher.stop();
        await statistics?.stop();
        await db.close();
      },
    };
  } catch (err) {
    await closeTimers().catch(() => {}); // [sla-timers]
    await db.close();
    throw err;
  }
}
