import type { Logger } from 'pino';
import type { ChannelHost } from '../types.js';

/**
 * One instance at a time runs the WhatsApp Web client: two browsers on one linked session fight
 * ("CONFLICT") and WhatsApp logs both out. Like the email reader's lease (channels/email/reader-lease.ts): held
 * in the database, renewed every third of its time; the others try as often and take over when it expires (a
 * crash) or is released (a clean stop). Unlike mail, an overlap is harmful, so a leader that cannot renew in
 * time gives up before the lease can pass to someone else.
 */
export class ClientLease {
  private leading = false;
  private lastRenewedAt = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> = Promise.resolve();

  constructor(private readonly options: {
    state: ChannelHost['state'];
    key: string;
    holder: string;
    ttlMs: number;
    lead: () => Promise<void>;
    yieldLead: () => Promise<void>;
    logger: Logger;
  }) {}

  get isLeading(): boolean {
    return this.leading;
  }

  start(): void {
    this.tick = this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    if (!this.leading) return;
    this.leading = false;
    await this.options.yieldLead();
    await this.options.state.release(this.options.key, this.options.holder).catch((err: unknown) => {
      this.options.logger.warn({ err }, 'could not release the WhatsApp Web lease; another instance takes over when it expires');
    });
  }

  private async attempt(): Promise<void> {
    const { state, key, holder, ttlMs, logger } = this.options;
    try {
      const held = await state.lease(key, holder, ttlMs);
      if (held) {
        this.lastRenewedAt = Date.now();
        if (!this.leading && !this.stopped) {
          this.leading = true;
          logger.info({ key }, 'this instance runs the WhatsApp Web client');
          await this.options.lead();
        }
      } else if (this.leading) {
        await this.lose('another instance holds the WhatsApp Web lease');
      }
    } catch (err) {
      logger.warn({ err }, 'could not renew the WhatsApp Web lease');
      // Give up a little before it can expire, so two browsers never share the session.
      if (this.leading && Date.now() - this.lastRenewedAt >= (ttlMs * 2) / 3) await this.lose('the lease could not be renewed');
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => {
        this.tick = this.attempt();
      }, Math.max(50, Math.floor(ttlMs / 3)));
    }
  }

  private async lose(why: string): Promise<void> {
    this.leading = false;
    this.options.logger.warn(`stopped the WhatsApp Web client: ${why}`);
    await this.options.yieldLead();
  }
}
