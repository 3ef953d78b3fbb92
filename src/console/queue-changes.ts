import type { Database } from '../db/database.js';

type Listener = (stamp: string) => void;

/**
 * Tells open console pages that the queue changed. One query a second per instance, shared by every open page
 * and only while one is open, sees changes made on any instance (an in-process event would miss those).
 */
export class QueueChanges {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly intervalMs = 1_000,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
      void this.poll(); // the baseline now, so a change in the first second is not taken for it
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private async poll(): Promise<void> {
    try {
      const [row] = await this.db.prisma.$queryRaw<{ stamp: string | null }[]>`
        SELECT (max(updated_at)::text || '/' || count(*)::text) AS stamp FROM incident`;
      const stamp = row?.stamp ?? '';
      if (this.last !== undefined && stamp !== this.last) for (const l of this.listeners) l(stamp);
      this.last = stamp;
    } catch {
      // The database is closing or briefly away: the next tick tries again.
    }
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  close(): void {
    this.listeners.clear();
    this.stop();
  }
}
