import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

/** One envelope as Slack's Socket Mode sends it, and what the app acknowledged. */
export interface Envelope {
  envelope_id: string;
  type: 'events_api' | 'interactive' | 'slash_commands';
  payload: unknown;
  accepts_response_payload: boolean;
  retry_attempt: number;
  retry_reason: string;
}

/**
 * Slack's Socket Mode side, on the emulator's HTTP server: `apps.connections.open` returns
 * `ws://127.0.0.1:<port>/link/?ticket=…`; on connect it says `hello`, then delivers envelopes and records the
 * app's acks. Like Slack, an envelope not acknowledged when its socket goes away is delivered again (with
 * `retry_attempt` + 1) on the next connection, and envelopes sent while no socket is open wait for one.
 */
export class SocketModeServer {
  readonly acks: { envelope_id: string; payload?: unknown }[] = [];
  readonly delivered: Envelope[] = [];
  connections = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private current: WebSocket | undefined;
  private readonly unacked = new Map<string, Envelope>();
  private readonly tickets = new Set<string>();
  private readonly waiters = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>();

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const ticket = url.searchParams.get('ticket') ?? '';
      if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
    });
  }

  /** The URL `apps.connections.open` answers with (one ticket per call, as Slack does). */
  url(httpOrigin: string): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${httpOrigin.replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=A0FRONTLINE`;
  }

  get open(): boolean {
    return this.current?.readyState === 1;
  }

  /** Sends an envelope (now, or when the app next connects); resolves with the app's ack. */
  deliver(type: Envelope['type'], payload: unknown): Promise<{ envelope_id: string; payload?: unknown }> {
    const envelope: Envelope = { envelope_id: randomUUID(), type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' };
    const acked = new Promise<{ envelope_id: string; payload?: unknown }>((resolve) => this.waiters.set(envelope.envelope_id, resolve));
    this.unacked.set(envelope.envelope_id, envelope);
    if (this.open) this.send(envelope);
    return acked;
  }

  /** Slack's `disconnect` message (e.g. `refresh_requested`), then the socket is dropped. */
  async disconnect(reason = 'refresh_requested'): Promise<void> {
    const ws = this.current;
    if (!ws) return;
    ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'emulated-socket-mode' } }));
    await new Promise((r) => setTimeout(r, 50));
    ws.terminate();
    this.current = undefined;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private connected(ws: WebSocket): void {
    this.connections += 1;
    this.current = ws;
    ws.on('message', (data) => {
      const ack = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (!ack.envelope_id || !this.unacked.delete(ack.envelope_id)) return;
      this.acks.push({ envelope_id: ack.envelope_id, ...(ack.payload ? { payload: ack.payload } : {}) });
      this.waiters.get(ack.envelope_id)?.({ envelope_id: ack.envelope_id, payload: ack.payload });
    });
    ws.on('close', () => {
      if (this.current === ws) this.current = undefined;
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'emulated-socket-mode', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0FRONTLINE' } }));
    // Whatever was not acknowledged on the previous socket (or queued while none was open) comes again.
    for (const envelope of this.unacked.values()) {
      if (this.delivered.includes(envelope)) {
        envelope.retry_attempt += 1;
        envelope.retry_reason = 'timeout';
      }
      this.send(envelope);
    }
  }

  private send(envelope: Envelope): void {
    if (!this.delivered.includes(envelope)) this.delivered.push(envelope);
    this.current!.send(JSON.stringify(envelope));
  }
}
