// A Frontline server process for the broadcast crash test: the real app with one channel, a mail-like sink that
// appends every delivery (address, idempotency key) to a file with a synchronous write — the peer that must see
// each recipient once. Seeds a declared major incident and N confirmed subscribers on a fresh database.
import { appendFileSync } from 'node:fs';
import type { ChannelAdapter, ChannelHost, OutboundMessage, SendContext } from '../../channels/types.js';
import { createFrontline } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { createApiToken } from '../../src/http/auth.js';

class FileSink implements ChannelAdapter {
  readonly name = 'email';
  readonly capabilities = { buttons: false, threads: true, edit: false, attachments: false, maxTextLength: 100_000, markup: 'plain' as const };
  constructor(private readonly file: string) {}
  async start(_host: ChannelHost) {}
  async stop() {}
  encodeThreadKey(ref: { t?: unknown }) { return `email:${String(ref.t)}`; }
  decodeThreadKey(key: string) { return { t: key.slice(6) }; }
  async health() { return { ok: true }; }
  startConversation(address: string, context: { incidentNumber: string }) {
    return { threadKey: `email:${address}:${context.incidentNumber}:${Math.random().toString(36).slice(2)}`, reference: { t: address } };
  }
  async send(ref: { t?: unknown }, _m: OutboundMessage, context: SendContext) {
    await new Promise((r) => setTimeout(r, 2)); // a peer that takes a moment, so the kill lands mid-send
    appendFileSync(this.file, `${String(ref.t)}\t${context.idempotencyKey}\n`);
    return {};
  }
}

const config = loadConfig({ ...process.env });
const app = await createFrontline(config, { channels: [new FileSink(process.env.SINK_FILE!)] });
const prisma = app.db.prisma;
let token = '';
if ((await prisma.majorIncident.count()) === 0) {
  await prisma.majorIncident.create({ data: { serviceId: 'wifi', title: 'Wi-Fi down in all offices', status: 'declared', declaredAt: new Date() } });
  const n = Number(process.env.SEED_SUBSCRIBERS ?? 2000);
  await prisma.subscription.createMany({ data: Array.from({ length: n }, (_, i) => ({ serviceId: 'wifi', channel: 'email', address: `s${i}@example.com`, status: 'active' })) });
  token = (await createApiToken(app.db, 'crash-test', 'agent')).token;
}
const port = await app.listen();
console.log(`READY ${port} ${token}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
