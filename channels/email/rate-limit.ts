/**
 * Per-sender limit on answered mail (a fixed window per sender, in memory). It exists to stop mail loops with
 * systems that do not mark their mail as automatic; a restart forgets the counts, which only loosens it briefly.
 */
export class SenderRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private limited = 0;

  constructor(
    /** Mails per sender per window; 0 disables the limit. */
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a mail from `sender`; false once the sender is over the limit in the current window. */
  allow(sender: string): boolean {
    if (this.limit <= 0) return true;
    const now = this.now();
    const key = sender.toLowerCase();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
      if (this.windows.size > 10_000) this.prune(now);
    }
    window.count += 1;
    if (window.count > this.limit) {
      this.limited += 1;
      return false;
    }
    return true;
  }

  /** Mails refused since start. */
  get limitedCount(): number {
    return this.limited;
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}
