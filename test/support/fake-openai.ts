import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible server speaking the real wire format, for tests and benchmarks without a network:
 * chat completions (incl. `response_format: json_schema` with OpenAI's strict-mode rules, and streaming),
 * embeddings (base64 as the SDK asks by default, or floats) as deterministic hashed bag-of-words vectors, the
 * Azure OpenAI deployment routes, and scripted faults (429 with retry-after, 500, truncated JSON, slow answers).
 * Every request is recorded.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** `chat`, `embeddings`, or the unknown path. */
  kind: string;
  /** Azure: the deployment named in the path. */
  deployment?: string;
}

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  schemaName?: string;
  schema?: Record<string, unknown>;
  /** The system prompt and the user content, for scripted answers. */
  system: string;
  user: string;
}

export type Fault = { status: 429; retryAfter?: number } | { status: 500 | 503 } | { truncated: true } | { delayMs: number } | { invalidJson: true };

/** Answer to a chat request: an object (serialised as the JSON content) or raw content. */
export type Responder = (request: ChatRequest) => unknown;

export const EMBEDDING_DIMENSIONS = 256;

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  /** Scripted answers; the default picks the first enum value / empty string for each schema field. */
  responder: Responder = (req) => (req.schema ? exampleOf(req.schema) : 'ok');
  private readonly faults: Fault[] = [];
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** The Azure resource endpoint (the SDK adds /openai/deployments/<name>/…). */
  get azureEndpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(err), type: 'server_error' } }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Faults for the next requests, in order (one per request). */
  fail(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  chats(): ChatRequest[] {
    return this.requests.filter((r) => r.kind === 'chat').map((r) => chatRequest(r.body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const azure = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(url.pathname);
    const kind = url.pathname.endsWith('/chat/completions') ? 'chat' : url.pathname.endsWith('/embeddings') ? 'embeddings' : url.pathname;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, kind, ...(azure ? { deployment: decodeURIComponent(azure[1]!) } : {}) });
    if (azure && !url.searchParams.get('api-version')) return error(res, 404, 'Resource not found', 'invalid_request_error');
    const fault = this.faults.shift();
    if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault && 'status' in fault) {
      const headers: Record<string, string> = fault.status === 429 ? { 'retry-after': String(fault.retryAfter ?? 0), 'x-ratelimit-remaining-requests': '0' } : {};
      return error(res, fault.status, fault.status === 429 ? 'Rate limit reached for requests' : 'The server had an error while processing your request.', fault.status === 429 ? 'requests' : 'server_error', headers);
    }
    if (kind === 'embeddings') return this.embeddings(res, body);
    if (kind !== 'chat') return error(res, 404, `Unknown request URL: ${req.method} ${url.pathname}`, 'invalid_request_error');
    const strictProblem = strictSchemaProblem(body.response_format);
    if (strictProblem) return error(res, 400, `Invalid schema for response_format: ${strictProblem}`, 'invalid_request_error');
    const request = chatRequest(body);
    const answer = this.responder(request);
    let content = typeof answer === 'string' ? answer : JSON.stringify(answer);
    let finish = 'stop';
    if (fault && 'truncated' in fault) {
      content = content.slice(0, Math.max(1, Math.floor(content.length / 2)));
      finish = 'length';
    }
    if (fault && 'invalidJson' in fault) content = content.slice(0, Math.max(1, Math.floor(content.length / 2)));
    const usage = { prompt_tokens: tokens(request.system) + tokens(request.user), completion_tokens: tokens(content) };
    const id = `chatcmpl-fake${this.requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    if (body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of content.match(/.{1,16}/gs) ?? []) {
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
      }
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta: {}, finish_reason: finish }] })}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    json(res, 200, {
      id, object: 'chat.completion', created, model: request.model, system_fingerprint: 'fp_fake',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finish }],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
  }

  private embeddings(res: ServerResponse, body: Record<string, unknown>): void {
    const inputs = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input ?? '')];
    const base64 = body.encoding_format === 'base64';
    const data = inputs.map((text, index) => {
      const vector = hashedEmbedding(text);
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    });
    const promptTokens = inputs.reduce((n, t) => n + tokens(t), 0);
    json(res, 200, { object: 'list', data, model: String(body.model), usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } });
  }
}

/** Deterministic bag-of-words vector: each lower-cased word (4+ letters cut to its first 6) hashed into a signed bucket, L2-normalised. */
export function hashedEmbedding(text: string, dimensions = EMBEDDING_DIMENSIONS): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').match(/\p{L}[\p{L}\p{N}]+/gu) ?? []) {
    const stem = word.slice(0, 6); // a crude stem, so "printer"/"printers" and "skrivaren"/"skrivare" meet
    let h = 0x811c9dc5;
    for (let i = 0; i < stem.length; i++) h = Math.imul(h ^ stem.charCodeAt(i), 0x01000193) >>> 0;
    v[h % dimensions]! += (h >>> 31) === 1 ? -1 : 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function chatRequest(body: Record<string, unknown>): ChatRequest {
  const messages = (body.messages ?? []) as { role: string; content: string }[];
  const format = body.response_format as { type?: string; json_schema?: { name?: string; schema?: Record<string, unknown> } } | undefined;
  return {
    model: String(body.model),
    messages,
    ...(format?.json_schema?.name ? { schemaName: format.json_schema.name } : {}),
    ...(format?.json_schema?.schema ? { schema: format.json_schema.schema } : {}),
    system: messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content).join('\n'),
    user: messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n'),
  };
}

/** OpenAI's structured-output strict mode: every object closed (`additionalProperties: false`) with all its properties required. */
function strictSchemaProblem(format: unknown): string | undefined {
  if (!format || typeof format !== 'object') return undefined;
  const f = format as { type?: string; json_schema?: { name?: string; strict?: boolean; schema?: unknown } };
  if (f.type !== 'json_schema') return undefined;
  if (!f.json_schema?.name || !/^[a-zA-Z0-9_-]{1,64}$/.test(f.json_schema.name)) return 'name must match ^[a-zA-Z0-9_-]{1,64}$';
  if (f.json_schema.strict !== true) return undefined;
  const check = (node: unknown, at: string): string | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    const n = node as Record<string, unknown>;
    const types = ([] as unknown[]).concat(n.type ?? []);
    if (types.includes('object')) {
      if (n.additionalProperties !== false) return `In context=${at}, 'additionalProperties' is required to be supplied and to be false`;
      const props = Object.keys((n.properties ?? {}) as object);
      const required = (n.required ?? []) as string[];
      const missing = props.find((p) => !required.includes(p));
      if (missing) return `In context=${at}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'`;
    }
    for (const [key, child] of Object.entries(n)) {
      if (key === 'properties' && child && typeof child === 'object') {
        for (const [p, s] of Object.entries(child)) {
          const problem = check(s, `${at}.${p}`);
          if (problem) return problem;
        }
      } else if (['items', 'anyOf', 'definitions', '$defs'].includes(key)) {
        const children = Array.isArray(child) ? child : key === 'items' ? [child] : Object.values((child ?? {}) as object);
        for (const s of children) {
          const problem = check(s, at);
          if (problem) return problem;
        }
      }
    }
    return undefined;
  };
  return check(f.json_schema.schema, '()');
}

/** A valid instance of a JSON schema (first enum value, empty strings, zeros), for unscripted requests. */
export function exampleOf(schema: Record<string, unknown>): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.anyOf)) return exampleOf(schema.anyOf[0] as Record<string, unknown>);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>).map(([k, s]) => [k, exampleOf(s)]));
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return '';
  }
}

const tokens = (text: string) => Math.ceil((text.match(/\S+/g)?.length ?? 0) * 1.3);

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_fake_${Date.now()}`, ...headers }).end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, message: string, type: string, headers: Record<string, string> = {}): void {
  json(res, status, { error: { message, type, param: null, code: null } }, headers);
}
