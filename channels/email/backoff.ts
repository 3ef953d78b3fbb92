/** Exponential backoff with full jitter (AWS architecture blog): spreads reconnect storms of many instances. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor?: number;
  /** 0 = no jitter, 1 = full jitter. */
  jitter?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const factor = options.factor ?? 2;
  const base = Math.min(options.maxMs, options.initialMs * factor ** Math.max(0, attempt));
  const jitter = options.jitter ?? 0.5;
  return Math.round(base * (1 - jitter + jitter * random()));
}

/** setTimeout as a promise that an AbortSignal cuts short (resolves, never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Rejects with `error` when `promise` has not settled within `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
