import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One activity the bot sent, as the fake connector received it. */
export interface PostedActivity {
  id: string;
  conversationId: string;
  /** Set for replyToActivity and updates. */
  activityId?: string;
  kind: 'send' | 'reply' | 'update';
  /** When the connector received it (ms since epoch). */
  at: number;
  authorization?: string;
  activity: {
    type: string; text?: string; textFormat?: string; id?: string;
    attachments?: { contentType: string; content: { body?: { text?: string; type?: string; id?: string }[]; actions?: CardAction[] } }[];
  };
}
export interface CardAction { type: string; title: string; data?: Record<string, unknown>; url?: string; card?: { body: Record<string, unknown>[]; actions: CardAction[] } }

/** `sticky`: every later call fails too (a roster 403 lasts until the app is added again). */
type Failure = { status: number; body?: unknown; headers?: Record<string, string>; sticky?: boolean };

/**
 * A local stand-in for the Bot Connector REST API (the `serviceUrl` of every activity): records what the bot
 * posts, updates and creates, answers with ids like the real service, and fails on request (429 with
 * Retry-After, 403 BotNotInConversationRoster, 5xx). It also serves files for download URLs.
 */
export class FakeConnector {
  readonly posted: PostedActivity[] = [];
  readonly created: { members: { id: string }[]; tenantId?: string }[] = [];
  /** Roster: user id → member (email, userPrincipalName, name) for getConversationMember. */
  readonly members = new Map<string, Record<string, string>>();
  /** Queued failures per conversation id (the part before `;messageid=`), consumed in order. */
  readonly failures = new Map<string, Failure[]>();
  readonly files = new Map<string, { type: string; data: Buffer; auth?: string }>();
  readonly fileRequests: { path: string; authorization?: string }[] = [];
  private server: Server | undefined;
  private seq = 0;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** Messages (not typing indicators) posted into a conversation, including its threads when `prefix`. */
  messages(conversationId?: string): PostedActivity[] {
    return this.posted.filter((p) => p.activity.type === 'message' && p.kind !== 'update' && (conversationId === undefined || p.conversationId === conversationId));
  }

  heal(conversationId: string): void {
    this.failures.delete(conversationId);
  }

  fail(conversationId: string, ...failures: Failure[]): void {
    this.failures.set(conversationId, [...(this.failures.get(conversationId) ?? []), ...failures]);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const auth = req.headers.authorization;
    if (req.method === 'GET' && path.startsWith('/files/')) {
      this.fileRequests.push({ path, ...(auth ? { authorization: auth } : {}) });
      const f = this.files.get(path.slice('/files/'.length));
      if (!f || (f.auth && auth !== f.auth)) return json(404, { error: { code: 'NotFound' } });
      res.writeHead(200, { 'content-type': f.type, 'content-length': String(f.data.length) });
      res.end(f.data);
      return;
    }
    let m = /^\/v3\/conversations\/?$/.exec(path);
    if (m && req.method === 'POST') {
      this.created.push(body as never);
      const members = (body.members as { id: string }[] | undefined) ?? [];
      return json(201, { id: `a:1on1-${members[0]?.id ?? 'x'}`, activityId: `${++this.seq}`, serviceUrl: this.url });
    }
    m = /^\/v3\/conversations\/([^/]+)\/members\/([^/]+)$/.exec(path);
    if (m && req.method === 'GET') {
      const member = this.members.get(m[2]!);
      return member ? json(200, { id: m[2], ...member }) : json(404, { error: { code: 'MemberNotFoundInConversation', message: 'not found' } });
    }
    m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const conversationId = m[1]!;
      // Failures are meant for messages; the best-effort typing indicator would swallow them otherwise.
      const queue = body.type === 'typing' ? undefined : this.failures.get(conversationId.split(';')[0]!);
      const queued = queue?.[0]?.sticky ? queue[0] : queue?.shift();
      if (queued) return json(queued.status, queued.body ?? { error: { code: 'ServiceError', message: 'failed' } }, queued.headers);
      const kind = req.method === 'PUT' ? 'update' : m[2] ? 'reply' : 'send';
      const id = kind === 'update' ? m[2]! : `1${String(Date.now()).slice(-9)}${String(++this.seq).padStart(4, '0')}`;
      this.posted.push({ id, conversationId, kind, at: Date.now(), ...(m[2] ? { activityId: m[2] } : {}), ...(auth ? { authorization: auth } : {}), activity: body as PostedActivity['activity'] });
      return json(kind === 'update' ? 200 : 201, { id });
    }
    json(404, { error: { code: 'NotFound', message: `${req.method} ${path}` } });
  }
}
