import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SocketModeServer } from './socket-mode.js';

/**
 * A local Slack Web API: speaks Slack's wire format (form-encoded or JSON bodies, `{ok: true, …}` answers,
 * HTTP 429 with Retry-After), keeps channel histories so thread and metadata lookups work, and records every
 * call for assertions. Failures can be injected per method.
 */
export interface EmulatedMessage {
  channel: string;
  ts: string;
  text: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  /** File ids shared with the message (uploads completed into it). */
  files?: string[];
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  edits: number;
}
export interface EmulatedCall {
  method: string;
  args: Record<string, unknown>;
  status: number;
}
interface Failure {
  remaining: number;
  status?: number;
  retryAfter?: number;
  error?: string;
}

export const BOT = { userId: 'UBOT0001', botId: 'BBOT0001', team: 'T0TEAM001' };
export const BOT_TOKEN = 'xoxb-emulated';
export const APP_TOKEN = 'xapp-emulated';

/** A file as the emulator keeps it: uploaded by a person (`userFile`) or by the app (upload flow). */
export interface EmulatedFile {
  id: string;
  name: string;
  mimetype: string;
  data: Buffer;
  user: string;
  /** True once `files.completeUploadExternal` shared it. */
  completed: boolean;
}

export class SlackEmulator {
  readonly calls: EmulatedCall[] = [];
  readonly messages: EmulatedMessage[] = [];
  readonly users = new Map<string, { name: string; email: string; is_bot?: boolean }>();
  readonly usergroups = new Map<string, string[]>();
  readonly files = new Map<string, EmulatedFile>();
  /** Socket Mode: `apps.connections.open` hands out this server's ws:// URL. */
  readonly socket = new SocketModeServer();
  private readonly failures = new Map<string, Failure>();
  private authError: string | undefined;
  private seq = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers, raw }) => {
        res.writeHead(status, { 'content-type': raw ? 'application/octet-stream' : 'application/json', ...headers });
        res.end(raw ?? JSON.stringify(body));
      });
    });
    this.socket.attach(this.server);
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const address = this.server.address();
    this.origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    this.url = `${this.origin}/api/`;
    return this;
  }

  origin = '';

  /** A file a person uploaded in Slack; returns the `files[]` entry of the `file_share` event Slack would send. */
  userFile(user: string, name: string, mimetype: string, data: Buffer): Record<string, unknown> {
    const id = `F${this.nextTs().replace('.', '')}`;
    this.files.set(id, { id, name, mimetype, data, user, completed: true });
    return { id, name, title: name, mimetype, filetype: name.split('.').pop(), size: data.length, user, mode: 'hosted', url_private: `${this.origin}/files-pri/${id}/${name}`, url_private_download: `${this.origin}/files-pri/${id}/download/${name}` };
  }

  /** Files the app uploaded and shared into `channel` (optionally a thread), with their bytes. */
  uploadedFiles(channel: string, threadTs?: string): EmulatedFile[] {
    return this.messages
      .filter((m) => m.channel === channel && m.files && (threadTs === undefined || m.thread_ts === threadTs))
      .flatMap((m) => m.files!.map((id) => this.files.get(id)!));
  }

  async stop(): Promise<void> {
    await this.socket.close();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The next `times` calls of `method` (or `*`) fail: HTTP 429 with Retry-After, or `{ok:false, error}`. */
  fail(method: string, failure: Omit<Failure, 'remaining'> & { times?: number }): void {
    this.failures.set(method, { remaining: failure.times ?? 1, ...failure });
  }

  /** Every call answers `{ok:false, error}` (e.g. `invalid_auth`) until cleared with undefined. */
  setAuthError(error: string | undefined): void {
    this.authError = error;
  }

  private fileTransfer(req: IncomingMessage, path: string, bytes: Buffer) {
    return Promise.resolve(fileTransferImpl.call(this, req, path, bytes));
  }

  callsOf(method: string): EmulatedCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  /** A message a person posts in Slack (so history lookups see it); returns its ts. */
  userPost(channel: string, user: string, text: string, threadTs?: string): string {
    const ts = this.nextTs();
    this.messages.push({ channel, ts, text, user, ...(threadTs ? { thread_ts: threadTs } : {}), edits: 0 });
    return ts;
  }

  botMessages(channel?: string): EmulatedMessage[] {
    return this.messages.filter((m) => m.bot_id && (!channel || m.channel === channel));
  }

  private nextTs(): string {
    this.seq += 1;
    return `${1_700_000_000 + this.seq}.${String(this.seq * 100).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string>; raw?: Buffer }> {
    const bytes = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
    const path = (req.url ?? '').split('?')[0]!;
    if (path.startsWith('/files-pri/') || path.startsWith('/upload/')) return this.fileTransfer(req, path, bytes);
    const method = path.replace(/^\/api\//, '');
    const raw = bytes.toString('utf8');
    const args = parseBody(raw, req.headers['content-type'] ?? '');
    const failure = this.failures.get(method) ?? this.failures.get('*');
    if (failure && failure.remaining > 0) {
      failure.remaining -= 1;
      this.calls.push({ method, args, status: failure.status ?? 200 });
      if (failure.status === 429) return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(failure.retryAfter ?? 1) } };
      return { status: failure.status ?? 200, body: { ok: false, error: failure.error ?? 'internal_error' } };
    }
    if (this.authError) {
      this.calls.push({ method, args, status: 200 });
      return { status: 200, body: { ok: false, error: this.authError } };
    }
    this.calls.push({ method, args, status: 200 });
    return { status: 200, body: this.answer(method, args) };
  }

  private answer(method: string, a: Record<string, unknown>): Record<string, unknown> {
    const str = (k: string) => (a[k] === undefined ? undefined : String(a[k]));
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://emulated.slack.com/', team: 'Emulated', user: 'frontline', team_id: BOT.team, user_id: BOT.userId, bot_id: BOT.botId };
      case 'chat.postMessage': {
        const channel = str('channel')!;
        const ts = this.nextTs();
        const message: EmulatedMessage = {
          channel, ts, text: str('text') ?? '', bot_id: BOT.botId, user: BOT.userId, edits: 0,
          ...(str('thread_ts') ? { thread_ts: str('thread_ts') } : {}),
          ...(a.blocks ? { blocks: json(a.blocks) as unknown[] } : {}),
          ...(a.attachments ? { attachments: json(a.attachments) as unknown[] } : {}),
          ...(a.metadata ? { metadata: json(a.metadata) as EmulatedMessage['metadata'] } : {}),
        };
        if (channel.startsWith('CX')) return { ok: false, error: 'channel_not_found' };
        this.messages.push(message);
        return { ok: true, channel, ts, message: { type: 'message', text: message.text, ts, bot_id: BOT.botId } };
      }
      case 'chat.update': {
        const m = this.messages.find((x) => x.channel === str('channel') && x.ts === str('ts'));
        if (!m) return { ok: false, error: 'message_not_found' };
        m.text = str('text') ?? m.text;
        if (a.blocks) m.blocks = json(a.blocks) as unknown[];
        if (a.attachments) m.attachments = json(a.attachments) as unknown[];
        m.edits += 1;
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'chat.getPermalink':
        return { ok: true, channel: str('channel'), permalink: `https://emulated.slack.com/archives/${str('channel')}/p${(str('message_ts') ?? '').replace('.', '')}` };
      case 'users.info': {
        const id = str('user')!;
        const u = this.users.get(id);
        if (!u) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id, name: u.name.toLowerCase(), real_name: u.name, is_bot: Boolean(u.is_bot), locale: 'en-US', profile: { real_name: u.name, display_name: u.name, email: u.email } } };
      }
      case 'usergroups.users.list':
        return { ok: true, users: this.usergroups.get(str('usergroup') ?? '') ?? [] };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(str('users')).replace(/^U/, '')}` } };
      case 'conversations.info':
        return { ok: true, channel: { id: str('channel'), is_member: true, is_archived: false } };
      case 'conversations.history': {
        const channel = str('channel');
        const latest = str('latest');
        const inclusive = str('inclusive') === 'true';
        let list = this.messages.filter((m) => m.channel === channel && !m.thread_ts).sort((x, y) => Number(y.ts) - Number(x.ts));
        if (latest) list = list.filter((m) => (inclusive ? Number(m.ts) <= Number(latest) : Number(m.ts) < Number(latest)));
        const limit = Number(str('limit') ?? 100);
        return { ok: true, messages: list.slice(0, limit).map(publicMessage), has_more: list.length > limit, response_metadata: { next_cursor: '' } };
      }
      case 'conversations.replies': {
        const list = this.messages.filter((m) => m.channel === str('channel') && (m.ts === str('ts') || m.thread_ts === str('ts')));
        return { ok: true, messages: list.map(publicMessage) };
      }
      case 'views.open':
      case 'views.publish':
      case 'views.update':
        return { ok: true, view: { id: `V${this.nextTs().replace('.', '')}`, ...(json(a.view) as object) } };
      case 'files.info': {
        const f = this.files.get(str('file') ?? '');
        if (!f) return { ok: false, error: 'file_not_found' };
        return { ok: true, file: { id: f.id, name: f.name, title: f.name, mimetype: f.mimetype, size: f.data.length, url_private_download: `${this.origin}/files-pri/${f.id}/download/${f.name}` } };
      }
      case 'files.getUploadURLExternal': {
        const id = `F${this.nextTs().replace('.', '')}`;
        const length = Number(str('length') ?? -1);
        if (!str('filename') || !(length > 0)) return { ok: false, error: 'invalid_arguments' };
        this.files.set(id, { id, name: str('filename')!, mimetype: 'application/octet-stream', data: Buffer.alloc(0), user: BOT.userId, completed: false });
        return { ok: true, upload_url: `${this.origin}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = json(a.files) as { id: string; title?: string }[];
        const files = list.map((x) => this.files.get(x.id));
        if (!files.length || files.some((f) => !f || !f.data.length)) return { ok: false, error: 'file_not_found' };
        for (const f of files) f!.completed = true;
        const channel = str('channel_id');
        if (channel) {
          // Slack shares the files as one message of the app in the channel (or thread).
          this.messages.push({ channel, ts: this.nextTs(), text: str('initial_comment') ?? '', user: BOT.userId, bot_id: BOT.botId, files: files.map((f) => f!.id), edits: 0, ...(str('thread_ts') ? { thread_ts: str('thread_ts') } : {}) });
        }
        return { ok: true, files: files.map((f) => ({ id: f!.id, title: f!.name })) };
      }
      case 'apps.connections.open':
        return { ok: true, url: this.socket.url(this.origin) };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** Bot-token file downloads (`url_private_download`) and upload URLs, as Slack's file hosts serve them. */
function fileTransferImpl(this: SlackEmulator, req: IncomingMessage, path: string, bytes: Buffer): { status: number; body: unknown; raw?: Buffer } {
  const id = path.split('/')[2] ?? '';
  const file = this.files.get(id);
  this.calls.push({ method: path.startsWith('/upload/') ? 'file.upload' : 'file.download', args: { id, authorization: req.headers.authorization ?? '' }, status: 200 });
  if (!file) return { status: 404, body: { ok: false } };
  if (path.startsWith('/upload/')) {
    file.data = multipartContent(bytes, String(req.headers['content-type'] ?? ''));
    return { status: 200, body: { ok: true } };
  }
  if (req.headers.authorization !== `Bearer ${BOT_TOKEN}`) return { status: 403, body: { ok: false } };
  return { status: 200, body: null, raw: file.data };
}

/** The bytes of the first part of a multipart/form-data body (the Web API client posts the file that way). */
function multipartContent(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return body;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(delimiter);
  const headerEnd = body.indexOf('\r\n\r\n', start);
  const next = body.indexOf(delimiter, headerEnd);
  return body.subarray(headerEnd + 4, next - 2);
}

const publicMessage = (m: EmulatedMessage) => ({
  type: 'message', ts: m.ts, text: m.text, user: m.user, ...(m.bot_id ? { bot_id: m.bot_id } : {}), ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}), ...(m.metadata ? { metadata: m.metadata } : {}),
});

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}

/** The Web API client form-encodes nested arguments as JSON strings. */
function json(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
