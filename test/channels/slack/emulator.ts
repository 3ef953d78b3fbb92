import { createServer, type IncomingMessage, type Server } from 'node:http';

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

export class SlackEmulator {
  readonly calls: EmulatedCall[] = [];
  readonly messages: EmulatedMessage[] = [];
  readonly users = new Map<string, { name: string; email: string; is_bot?: boolean }>();
  readonly usergroups = new Map<string, string[]>();
  private readonly failures = new Map<string, Failure>();
  private authError: string | undefined;
  private seq = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/`;
    return this;
  }

  async stop(): Promise<void> {
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

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString('utf8')));
      req.on('end', () => resolve(data));
    });
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
      case 'files.info':
        return { ok: true, file: { id: str('file'), name: 'file.txt', mimetype: 'text/plain', size: 0 } };
      case 'files.getUploadURLExternal':
        return { ok: true, upload_url: `${this.url}upload`, file_id: `F${this.nextTs().replace('.', '')}` };
      case 'files.completeUploadExternal':
        return { ok: true, files: [] };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
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
