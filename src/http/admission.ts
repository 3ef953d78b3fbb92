import type { RequestHandler, Response } from 'express';

export interface AdmissionSettings {
  /** Requests worked on at once; 0 turns admission control off. */
  maxInFlight: number;
  /** Requests waiting for a slot, beyond which new ones are refused at once. */
  maxQueued: number;
  /** Longest a request may wait for a slot before it is refused (the client retries later instead). */
  maxWaitMs: number;
}

export interface AdmissionStats {
  inFlight: number;
  queued: number;
  refused: number;
}

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Admission control for the intake: a bounded number of requests in flight and a bounded, short wait queue.
 * Past the budget a request is refused before its body is even parsed (503 + Retry-After), so an overloaded
 * server keeps serving what it accepted at its peak rate instead of letting every request slow down together
 * until none finishes in time. Refusing is cheap; accepted work is never dropped.
 */
export class AdmissionGate {
  private inFlight = 0;
  private readonly queue: Waiter[] = [];
  private refusedCount = 0;
  /** Smoothed service time of admitted requests (ms): sizes Retry-After to the backlog. */
  private serviceMs = 50;

  constructor(private readonly settings: AdmissionSettings, private readonly onRefused: () => void = () => {}) {}

  get stats(): AdmissionStats {
    return { inFlight: this.inFlight, queued: this.queue.length, refused: this.refusedCount };
  }

  /** Express middleware: admits, queues or refuses; the slot is freed when the response ends or the client leaves. */
  middleware(applies: (method: string, path: string) => boolean = () => true): RequestHandler {
    return (req, res, next) => {
      if (this.settings.maxInFlight <= 0 || !applies(req.method, req.path)) return next();
      const admit = () => {
        this.inFlight++;
        const started = performance.now();
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          this.inFlight--;
          this.serviceMs = 0.9 * this.serviceMs + 0.1 * (performance.now() - started);
          this.next();
        };
        res.once('finish', release);
        res.once('close', release);
        next();
      };
      if (this.inFlight < this.settings.maxInFlight && this.queue.length === 0) return admit();
      if (this.queue.length >= this.settings.maxQueued) return this.refuse(res);
      const waiter: Waiter = {
        admit,
        timer: setTimeout(() => {
          this.remove(waiter);
          this.refuse(res);
        }, this.settings.maxWaitMs),
      };
      this.queue.push(waiter);
      // A client that gave up while waiting needs no slot.
      res.once('close', () => {
        if (this.remove(waiter)) clearTimeout(waiter.timer);
      });
    };
  }

  private next(): void {
    while (this.inFlight < this.settings.maxInFlight) {
      const waiter = this.queue.shift();
      if (!waiter) return;
      clearTimeout(waiter.timer);
      waiter.admit();
    }
  }

  private remove(waiter: Waiter): boolean {
    const at = this.queue.indexOf(waiter);
    if (at < 0) return false;
    this.queue.splice(at, 1);
    return true;
  }

  /** Seconds until the present backlog has likely drained: at least 1, at most 30. */
  retryAfterSeconds(): number {
    const backlog = this.inFlight + this.queue.length;
    const seconds = (backlog * this.serviceMs) / Math.max(1, this.settings.maxInFlight) / 1000;
    return Math.min(30, Math.max(1, Math.ceil(seconds)));
  }

  private refuse(res: Response): void {
    this.refusedCount++;
    this.onRefused();
    if (res.headersSent || res.writableEnded) return;
    // Connection: close is not set: the client retries on the same keep-alive socket, which is cheaper.
    res.status(503).set('Retry-After', String(this.retryAfterSeconds())).json({
      error: { code: 'OVERLOADED', message: 'Many reports are arriving at once: nothing was stored; send it again after Retry-After seconds.' },
    });
  }
}
