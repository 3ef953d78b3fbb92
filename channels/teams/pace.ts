/**
 * Teams' per-thread limits for a bot (Microsoft's "rate limiting for bots": 7 messages a second, 8 in two
 * seconds, 60 in thirty, 1,800 an hour; a chat, or one reply chain of a channel). Sends are paced below them instead of provoking 429s: a short wait is
 * waited out here, a longer one goes back to the outbox (retryable, with the time to wait). Counted per instance;
 * the outbox delivers one conversation's messages in order, so one instance sends them at a time in practice.
 */
const WINDOWS = [
  { ms: 1_000, max: 7 },
  { ms: 2_000, max: 8 },
  { ms: 30_000, max: 60 },
  { ms: 3_600_000, max: 1_800 },
] as const;
/** Teams counts on arrival: network jitter can bring two paced sends closer there, so each window is a bit wider. */
const MARGIN_MS = 200;
const LONGEST = WINDOWS.at(-1)!.ms + MARGIN_MS;

export class SendPacer {
  private readonly sent = new Map<string, number[]>();

  /** Milliseconds until the next send into `key` keeps every window within its limit (0: now). */
  delay(key: string, now = Date.now()): number {
    const times = this.sent.get(key) ?? [];
    let wait = 0;
    for (const w of WINDOWS) {
      const ms = w.ms + MARGIN_MS;
      const inWindow = times.filter((t) => now - t < ms);
      // When the oldest of the last `max` sends leaves the window, a slot frees.
      if (inWindow.length >= w.max) wait = Math.max(wait, inWindow[inWindow.length - w.max]! + ms - now);
    }
    return wait;
  }

  record(key: string, now = Date.now()): void {
    const times = (this.sent.get(key) ?? []).filter((t) => now - t < LONGEST);
    times.push(now);
    this.sent.delete(key); // re-inserted last: the map's first key is the least recently used
    this.sent.set(key, times);
    if (this.sent.size > 20_000) this.sent.delete(this.sent.keys().next().value!);
  }
}
