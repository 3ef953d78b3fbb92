import type { Logger } from 'pino';

export interface LeaseStore {
  lease(key: string, holder: string, ttlMs: number): Promise<boolean>;
  release(key: string, holder: string): Promise<void>;
}

export interface ReaderLeaseOptions {
  store: LeaseStore;
  key: string;
  /** Unique per instance (host, pid and a random part). */
  holder: string;
  ttlMs: number;
  /** Called when this instance takes the lease: start reading. */
  lead: () => void;
  /** Called when it loses the lease or stops: stop reading (resolves once stopped). */
  yieldLead: () => Promise<void>;
  logger: Logger;
}

/**
 * One instance at a time reads a mailbox. With several instances on one database, each would otherwise fetch and
 * parse every mail (the intake's event keys would still keep the effects exactly-once), race on the UID
 * checkpoint and split the per-sender rate limit. The reader holds a lease in the database and renews it every
 * third of its time; the others try as often and take over when it expires (a crash) or is released (a clean
 * stop). An overlap while a lease changes hands costs repeated fetches, never duplicate effects.
 */
export class ReaderLease {
  private leading = false;
  private lastRenewedAt = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReaderLeaseOptions) {}

  /** Whether this instance reads the mailbox now. */
  get isLeading(): boolean {
    return this.leading;
  }

  start(): void {
    this.tick = this.attempt();
  }

  /** Stops reading, if it was, and releases the lease so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    if (!this.leading) return;
    this.leading = false;
    await this.options.yieldLead();
    await this.options.store.release(this.options.key, this.options.holder).catch((err: unknown) => {
      this.options.logger.warn({ err }, 'could not release the mailbox lease; another instance takes over when it expires');
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
          logger.info({ key }, 'this instance reads the mailbox');
          this.options.lead();
        }
      } else if (this.leading) {
        await this.lose('another instance holds the mailbox lease');
      }
    } catch (err) {
      // Database unreachable: keep reading while the lease taken last is still ours by this clock.
      logger.warn({ err }, 'could not renew the mailbox lease');
      if (this.leading && Date.now() - this.lastRenewedAt >= ttlMs) await this.lose('the mailbox lease expired');
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => {
        this.tick = this.attempt();
      }, Math.max(100, Math.floor(ttlMs / 3)));
    }
  }

  private async lose(why: string): Promise<void> {
    this.leading = false;
    this.options.logger.warn({ key: this.options.key }, `stopped reading the mailbox: ${why}`);
    await this.options.yieldLead();
  }
}
