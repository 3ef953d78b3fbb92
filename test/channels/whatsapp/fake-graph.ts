import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Meta's Graph API, speaking the shapes of business-messaging-api_v23.0.yaml:
 * `POST /{v}/{phone-number-id}/messages` → `{messaging_product, contacts, messages:[{id}]}`,
 * `POST /{v}/{phone-number-id}/media` (multipart) → `{id}`, `GET /{v}/{media-id}` → `{url, mime_type, file_size…}`,
 * the URL serving the bytes (token required), and Graph's real error bodies on demand.
 */
export interface SentMessage {
  phoneNumberId: string;
  wamid: string;
  body: Record<string, unknown> & { to: string; type: string };
  at: number;
}

export interface GraphFailure {
  status: number;
  code: number;
  message: string;
  details?: string;
  retryAfter?: number;
}

export const GRAPH_ERRORS = {
  rateLimited: { status: 400, code: 130429, message: '(#130429) Rate limit hit', details: 'Cloud API message throughput has been reached.' },
  http429: { status: 429, code: 80007, message: '(#80007) Rate limit issues', retryAfter: 3 },
  reengagement: { status: 400, code: 131047, message: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  tokenExpired: { status: 401, code: 190, message: 'Error validating access token: Session has expired on Tuesday, 01-Dec-26 10:00:00 PST.' },
  invalidRecipient: { status: 400, code: 131026, message: 'Message undeliverable' },
} satisfies Record<string, GraphFailure>;

export class FakeGraph {
  private server: Server | undefined;
  url = '';
  readonly sent: SentMessage[] = [];
  readonly uploads: { phoneNumberId: string; id: string; filename: string; type: string; size: number }[] = [];
  readonly media = new Map<string, { data: Buffer; mimeType: string }>();
  private readonly failures: GraphFailure[] = [];
  /** Every request, for assertions on headers. */
  readonly requests: { method: string; path: string; authorization: string | undefined }[] = [];

  /** While set, every call fails as Graph does with an expired token (error 190), as in production. */
  tokenExpired = false;

  constructor(readonly token: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** The next message send fails with this Graph error (queued, one per call). */
  fail(failure: GraphFailure): void {
    this.failures.push(failure);
  }

  addMedia(id: string, data: Buffer, mimeType: string): void {
    this.media.set(id, { data, mimeType });
  }

  sentTo(waId: string): SentMessage[] {
    return this.sent.filter((m) => m.body.to === waId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const authorization = req.headers.authorization;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, authorization });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    if (url.pathname.startsWith('/download/')) {
      if (authorization !== `Bearer ${this.token}`) return json(res, 401, { error: { message: 'Unauthorized', code: 190 } });
      const m = this.media.get(url.pathname.slice('/download/'.length));
      if (!m) return json(res, 404, { error: { message: 'not found', code: 100 } });
      res.writeHead(200, { 'content-type': m.mimeType, 'content-length': m.data.length });
      res.end(m.data);
      return;
    }
    if (authorization !== `Bearer ${this.token}`) return json(res, 401, { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190, fbtrace_id: 'A1' } });
    if (this.tokenExpired) return json(res, 401, { error: { message: GRAPH_ERRORS.tokenExpired.message, type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'A2' } });
    const parts = url.pathname.split('/').filter(Boolean); // [version, id, edge?]
    if (!/^v\d+\.\d+$/.test(parts[0] ?? '')) return json(res, 400, { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } });
    if (req.method === 'POST' && parts[2] === 'messages') {
      const failure = this.failures.shift();
      if (failure) {
        res.setHeader('content-type', 'application/json');
        if (failure.retryAfter !== undefined) res.setHeader('retry-after', String(failure.retryAfter));
        res.statusCode = failure.status;
        res.end(JSON.stringify({ error: { message: failure.message, type: 'OAuthException', code: failure.code, ...(failure.details ? { error_data: { messaging_product: 'whatsapp', details: failure.details } } : {}), fbtrace_id: 'AbCdEf' } }));
        return;
      }
      const body = JSON.parse(raw.toString('utf8')) as SentMessage['body'];
      const wamid = `wamid.${randomBytes(12).toString('base64url')}`;
      this.sent.push({ phoneNumberId: parts[1]!, wamid, body, at: Date.now() });
      return json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: wamid }] });
    }
    if (req.method === 'POST' && parts[2] === 'media') {
      const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const file = form.get('file');
      if (form.get('messaging_product') !== 'whatsapp' || !(file instanceof Blob)) return json(res, 400, { error: { message: 'Param file must be a file', code: 100 } });
      const id = String(Math.floor(Math.random() * 1e15));
      this.uploads.push({ phoneNumberId: parts[1]!, id, filename: (file as File).name, type: String(form.get('type')), size: file.size });
      return json(res, 200, { id });
    }
    if (req.method === 'GET' && parts.length === 2) {
      const m = this.media.get(parts[1]!);
      if (!m) return json(res, 400, { error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100 } });
      return json(res, 200, { messaging_product: 'whatsapp', url: `${this.url}/download/${parts[1]}`, mime_type: m.mimeType, sha256: 'x', file_size: String(m.data.length), id: parts[1] });
    }
    return json(res, 404, { error: { message: 'Unknown path', code: 100 } });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
