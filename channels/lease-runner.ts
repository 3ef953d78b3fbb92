import type { Logger } from 'pino';
import type { ChannelHost } from './host.js';

/** The part of `host.state` a lease needs (the database's `channel_state`, on the database clock). */
export type LeaseStore = Pick<ChannelHost['state'], 'lease' | 'release'>;

export interface LeaseRunnerOptions {
  store: LeaseStore;
  key: string;
  /** Unique per instance (host, pid and a random part). */
  holder: string;
  ttlMs: number;
  /**
   * How long after its last renewal a leader that cannot reach the database keeps leading. `ttlMs` when an
   * overlap while the lease changes hands is harmless (it only costs repeated work); less when two leaders at
   * once do harm, so this one gives up before the lease can pass to another instance.
   */
  keepLeadingWithoutRenewalMs: number;
  /** Called when this instance takes the lease: start the work (awaited before the next renewal). */
  lead: () => void | Promise<void>;
  /** Called when it loses the lease or stops: stop the work (resolves once stopped). */
  yieldLead: () => Promise<void>;
  /** What this instance does while leading, for the logs ("reads the mailbox"). */
  work: string;
  logger: Logger;
}

/**
 * One instance at a time does some work (reads a mailbox, runs a WhatsApp Web client): it holds a lease in the
 * database and renews it every third of its time; the others try as often and take over when it expires (a
 * crash) or is released (a clean stop). Shared by the channels so that the take-over and give-up rules, the
 * subtle part, live and are tested in one place (test/channels/lease-runner.test.ts).
 */
export class LeaseRunner {
  private leading = false;
  private lastRenewedAt = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaseRunnerOptions) {}

  /** Whether this instance does the work now. */
  get isLeading(): boolean {
    return this.leading;
  }

  start(): void {
    this.tick = this.attempt();
  }

  /** Stops the work, if it ran, and releases the lease so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    if (!this.leading) return;
    this.leading = false;
    await this.options.yieldLead();
    await this.options.store.release(this.options.key, this.options.holder).catch((err: unknown) => {
      this.options.logger.warn({ err, key: this.options.key }, 'could not release the lease; another instance takes over when it expires');
    });
  }

  private async attempt(): Promise<void> {
    const { store, key, holder, ttlMs, logger } = this.options;
    try {
      const held = await store.lease(key, holder, ttlMs);
      if (held) {
        this.lastRenewedAt = Date.now();
        if (!this.leading && !this.stopped) {
          this.leading = true;
          logger.info({ key }, `this instance ${this.options.work}`);
          await this.options.lead();
        }
      } else if (this.leading) {
        await this.lose('another instance holds the lease');
      }
    } catch (err) {
      // Database unreachable: keep leading while the lease taken last is still ours by this clock (or less).
      logger.warn({ err, key }, 'could not renew the lease');
      if (this.leading && Date.now() - this.lastRenewedAt >= this.options.keepLeadingWithoutRenewalMs) {
        await this.lose('the lease could not be renewed in time');
      }
    }
    if (!this.stopped) {
      // The floor keeps a tiny test TTL from spinning on the database.
      this.timer = setTimeout(() => {
        this.tick = this.attempt();
      }, Math.max(50, Math.floor(ttlMs / 3)));
    }
  }

  private async lose(why: string): Promise<void> {
    this.leading = false;
    this.options.logger.warn({ key: this.options.key }, `this instance no longer ${this.options.work}: ${why}`);
    await this.options.yieldLead();
  }
}
