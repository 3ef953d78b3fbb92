import type { Request, Response } from 'express';
import type { ChannelHost } from '../types.js';
import { present } from './presenter.js';
import type { StreamHub } from './stream-hub.js';

/**
 * Server-Sent Events for one conversation. Local deliveries wake the stream at once; the hub's shared slow
 * poll covers deliveries made by other instances. `Last-Event-ID` (the cursor) resumes after a dropped
 * connection.
 */
export function streamEvents(
  host: ChannelHost,
  req: Request,
  res: Response,
  conversationId: string,
  attachmentUrl: (id: string) => string,
  options: { hub: StreamHub; heartbeatMs: number },
): void {
  const lastEventId = Number(req.get('last-event-id') ?? req.query.after ?? 0);
  let cursor = Number.isFinite(lastEventId) && lastEventId > 0 ? lastEventId : 0;
  const sent = new Set<string>();
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no', // nginx must not buffer the stream
  });
  res.flushHeaders();
  res.write('retry: 2000\n\n');

  let busy = false;
  let again = false;
  let closed = false;
  const pump = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const page = await host.transcript(conversationId, cursor);
        for (const m of page.messages) {
          if (sent.has(m.id)) continue;
          sent.add(m.id);
          res.write(`id: ${m.seq}\nevent: message\ndata: ${JSON.stringify(present(m, attachmentUrl))}\n\n`);
        }
        if (page.cursor > cursor) {
          cursor = page.cursor;
          sent.clear();
        }
      } while (again && !closed);
    } catch (err) {
      host.logger.warn({ err, conversationId }, 'web chat stream poll failed');
    } finally {
      busy = false;
    }
  };
  const unsubscribe = host.onDelivered((id) => {
    if (id === conversationId) void pump();
  });
  const unwatch = options.hub.watch({ conversationId, cursor: () => cursor, pump: () => void pump() });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);
  req.on('close', () => {
    closed = true;
    unsubscribe();
    unwatch();
    clearInterval(heartbeat);
  });
  void pump();
}
