/**
 * Exponential backoff with full jitter (AWS architecture blog's recommendation): spreads retries of many
 * failing messages instead of hammering a recovering platform in lockstep. A platform's Retry-After wins.
 */
export function retryDelayMs(
  attempt: number,
  options: { baseMs: number; maxMs: number; retryAfterMs?: number },
  random: () => number = Math.random,
): number {
  if (options.retryAfterMs !== undefined && options.retryAfterMs >= 0) return Math.min(options.retryAfterMs, options.maxMs);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(options.baseMs / 2 + random() * (ceiling - options.baseMs / 2));
}
