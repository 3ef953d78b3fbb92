import type { Tx } from '../db/database.js';
import type { Logger } from '../logger.js';

/** Runs a function in a short, retried transaction (the intake pipeline's `transaction`). */
export type RunTransaction = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** One kind of timer work: a pass handles whatever is due at `now` and reports counts. */
export interface SweepTask {
  readonly name: string;
  run(now: Date): Promise<Record<string, number>>;
}

/**
 * The periodic sweep behind the SLA timers and dialog reminders. Every instance may run one: the tasks claim
 * their rows with `SKIP LOCKED` or the conversation lock, so sweepers share the work instead of repeating it.
 * Passes never overlap within one sweeper; `sweep(now)` can also be called directly (tests use a fixed clock).
 */
export class SlaSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly tasks: SweepTask[],
    private readonly intervalMs: number,
    private readonly logger?: Logger,
  ) {}

  /** One pass of every task at `now`; a failing task is logged and does not stop the others. */
  async sweep(now = new Date()): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const task of this.tasks) {
      try {
        out[task.name] = await task.run(now);
      } catch (err) {
        this.logger?.error({ err, task: task.name }, 'sweep task failed');
      }
    }
    const busy = Object.values(out).some((counts) => Object.values(counts).some((n) => n > 0));
    if (busy) this.logger?.info({ sweep: out }, 'timers swept');
    return out;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the timer and waits for a pass in progress, so the database can close after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.sweep().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }
}
