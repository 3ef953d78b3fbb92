import type { Logger } from 'pino';
import type { ChannelHealth } from '../types.js';
import type { WebClient, WebClientFactory } from './client-port.js';
import { type Effect, initialState, type SupervisorEvent, type SupervisorState, transition } from './supervisor-state.js';

export interface SupervisorOptions {
  factory: WebClientFactory;
  readyTimeoutMs: number;
  heartbeatMs: number;
  backoffMs: number;
  logger: Logger;
  /** Incoming messages of the current client. */
  onMessage: (message: unknown) => void;
  /** Tells the operators (once per `key`). */
  alert: (key: string, text: string) => Promise<void>;
  printQr: (qr: string) => void | Promise<void>;
  /** The client is ready (again). */
  onReady?: () => void | Promise<void>;
  /** A unique prefix for this run's alert keys. */
  runId: string;
}

/** Misses in a row before the page counts as dead: one slow answer during a WhatsApp Web update is normal. */
const HEARTBEAT_MISSES = 2;

/**
 * Runs the state machine of supervisor-state.ts: builds and destroys clients, owns the timers, and feeds the
 * client's events back in. Events of a client that was already replaced are ignored (generation counter), and
 * events are handled one at a time so a rebuild never races a late `disconnected`.
 */
export class ClientSupervisor {
  private state: SupervisorState = initialState();
  private client: WebClient | undefined;
  private generation = 0;
  private timers = new Set<NodeJS.Timeout>();
  private heartbeat: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: SupervisorOptions) {}

  get current(): { client: WebClient; ready: boolean } | undefined {
    return this.client ? { client: this.client, ready: this.state.phase === 'ready' } : undefined;
  }

  get snapshot(): Readonly<SupervisorState> {
    return this.state;
  }

  health(): ChannelHealth {
    switch (this.state.phase) {
      case 'ready':
        return { ok: true, detail: 'connected' };
      case 'standby':
        return { ok: true, detail: 'standing by: another instance runs the WhatsApp Web client' };
      default:
        return { ok: false, detail: this.state.reason ?? this.state.phase };
    }
  }

  /** Feeds one event in; resolves once its effects ran. */
  dispatch(event: SupervisorEvent): Promise<void> {
    const run = this.queue.then(async () => {
      const [next, effects] = transition(this.state, event, this.options.backoffMs);
      if (next.phase !== this.state.phase) this.options.logger.info({ from: this.state.phase, to: next.phase, event: event.type, reason: next.reason }, 'WhatsApp Web client state');
      this.state = next;
      for (const effect of effects) await this.run(effect);
    });
    this.queue = run.catch((err: unknown) => this.options.logger.error({ err }, 'WhatsApp Web supervisor effect failed'));
    return this.queue;
  }

  private async run(effect: Effect): Promise<void> {
    switch (effect.type) {
      case 'build':
        return this.build();
      case 'destroy':
        return this.destroy();
      case 'arm_ready_timer':
        return this.later(this.options.readyTimeoutMs, { type: 'ready_timeout' });
      case 'schedule_rebuild':
        return this.later(effect.delayMs, { type: 'rebuild_due' });
      case 'start_heartbeat':
        return this.startHeartbeat();
      case 'alert':
        this.options.logger.error({ alert: effect.text }, 'WhatsApp Web needs attention');
        await this.options.alert(`${this.options.runId}:${effect.seq}`, effect.text).catch((err: unknown) => this.options.logger.warn({ err }, 'could not queue the operator alert'));
        return;
      case 'print_qr':
        return this.options.printQr(effect.qr);
      case 'resumed':
        this.options.logger.info('WhatsApp Web client ready');
        await this.options.onReady?.();
        return;
    }
  }

  private async build(): Promise<void> {
    const generation = ++this.generation;
    const client = await this.options.factory();
    this.client = client;
    const mine = (event: SupervisorEvent) => {
      if (generation === this.generation) void this.dispatch(event);
    };
    client.on('qr', (qr: string) => mine({ type: 'qr', qr }));
    client.on('authenticated', () => mine({ type: 'authenticated' }));
    client.on('ready', () => mine({ type: 'ready' }));
    client.on('auth_failure', (message: unknown) => mine({ type: 'auth_failure', message: String(message) }));
    client.on('disconnected', (reason: unknown) => mine({ type: 'disconnected', reason: String(reason) }));
    client.on('message', (message: unknown) => {
      if (generation === this.generation) this.options.onMessage(message);
    });
    // initialize() resolves once the page is loaded, or rejects (no browser, no network): a failed build.
    client.initialize().catch((err: unknown) => mine({ type: 'init_failed', message: err instanceof Error ? err.message : String(err) }));
  }

  private async destroy(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const client = this.client;
    this.client = undefined;
    this.generation++;
    if (!client) return;
    client.removeAllListeners();
    // A dead page can hang destroy(); the browser process is abandoned after a while rather than blocking a rebuild.
    await Promise.race([client.destroy().catch(() => {}), new Promise((r) => setTimeout(r, 10_000).unref())]);
  }

  private later(ms: number, event: SupervisorEvent): void {
    const generation = this.generation;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (generation === this.generation) void this.dispatch(event);
    }, ms);
    this.timers.add(timer);
  }

  private startHeartbeat(): void {
    const generation = this.generation;
    let misses = 0;
    let busy = false;
    this.heartbeat = setInterval(() => {
      if (busy || generation !== this.generation || !this.client) return;
      busy = true;
      const client = this.client;
      const timeout = new Promise<string>((r) => setTimeout(() => r('no answer'), this.options.heartbeatMs).unref());
      void Promise.race([client.getState().then((s) => String(s)).catch((err: unknown) => `error: ${err instanceof Error ? err.message : String(err)}`), timeout])
        .then((answer) => {
          busy = false;
          if (generation !== this.generation) return;
          misses = answer === 'CONNECTED' ? 0 : misses + 1;
          if (misses >= HEARTBEAT_MISSES) void this.dispatch({ type: 'heartbeat_failed', why: `getState: ${answer}` });
        });
    }, this.options.heartbeatMs);
  }
}
