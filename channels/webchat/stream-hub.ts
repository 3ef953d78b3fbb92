import type { ChannelHost } from '../types.js';

/** One open event stream, as the hub sees it: where it is, and how to make it catch up. */
export interface WatchedStream {
  readonly conversationId: string;
  cursor(): number;
  pump(): void;
}

/** Streams checked per query; keeps the statement's arrays small even with many open widgets. */
const CHUNK = 1_000;

/**
 * The slow poll behind every open web chat stream of this instance, for deliveries made by other instances
 * (local ones wake a stream at once). One query per tick asks which watched conversations have anything past
 * their cursor; only those read their transcript. Idle widgets therefore cost one array element, not one query
 * each, per tick.
 */
export class StreamHub {
  private readonly streams = new Set<WatchedStream>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    private readonly host: ChannelHost,
    private readonly pollMs: number,
  ) {}

  /** Watches a stream until the returned function is called. */
  watch(stream: WatchedStream): () => void {
    this.streams.add(stream);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.pollMs);
      this.timer.unref();
    }
    return () => {
      this.streams.delete(stream);
      if (this.streams.size === 0) this.stop();
    };
  }

  get size(): number {
    return this.streams.size;
  }

  /** One pass: a tick still running when the next is due is skipped, so a slow database is not piled on. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const all = [...this.streams];
      for (let i = 0; i < all.length; i += CHUNK) {
        const chunk = all.slice(i, i + CHUNK);
        const changed = await this.host.changedSince(chunk.map((s) => ({ conversationId: s.conversationId, cursor: s.cursor() })));
        for (const s of chunk) if (changed.has(s.conversationId) && this.streams.has(s)) s.pump();
      }
    } catch (err) {
      this.host.logger.warn({ err }, 'web chat stream poll failed');
    } finally {
      this.ticking = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
