import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between the IMAP client and Dovecot that can freeze: connections stay open but no byte passes,
 * which is what a dead NAT mapping or a hung server looks like to the client (no FIN, no RST).
 */
export class FreezableProxy {
  port = 0;
  private server: Server | undefined;
  private readonly pairs = new Set<[Socket, Socket]>();
  private frozen = new Set<Socket>();

  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const relay = (from: Socket, to: Socket): void => {
        from.on('data', (chunk) => {
          if (!this.frozen.has(client)) to.write(chunk);
        });
      };
      relay(client, upstream);
      relay(upstream, client);
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
        this.frozen.delete(client);
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** Silently drops all traffic of the connections open right now; new connections work normally. */
  freezeCurrent(): number {
    for (const [client] of this.pairs) this.frozen.add(client);
    return this.pairs.size;
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
