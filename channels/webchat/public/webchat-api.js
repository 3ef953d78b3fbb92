/**
 * HTTP client for the web chat API (`/webchat/v1`). Every URL is resolved against the directory this
 * script is served from, so the chat also works when Frontline sits behind a reverse proxy under a sub-path.
 */

/** A failed request. `retryable` is true for network failures, 408, 425, 429 and 5xx. */
export class ApiError extends Error {
  constructor(message, { status = 0, code = 'NETWORK', retryAfterMs } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }

  get retryable() {
    return this.status === 0 || this.status === 408 || this.status === 425 || this.status === 429 || this.status >= 500;
  }

  /** The conversation or its token is gone (server reset, token expired): start over. */
  get sessionLost() {
    return this.status === 401 || this.status === 403 || this.status === 404 || this.status === 410;
  }
}

/** A v4 UUID; crypto.randomUUID only exists in secure contexts, so plain-http intranets get a fallback. */
export function uuid() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function parseRetryAfter(header) {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

async function toApiError(response) {
  let code = `HTTP_${response.status}`;
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = String(body.error.code || code);
      message = String(body.error.message || message);
    }
  } catch {
    // not JSON (a proxy's HTML error page): keep the status text
  }
  return new ApiError(message, {
    status: response.status,
    code,
    retryAfterMs: parseRetryAfter(response.headers.get('Retry-After')),
  });
}

/** Minimal shape check at the boundary: drops anything that is not a usable message. */
export function normalizeMessage(raw) {
  if (!raw || typeof raw !== 'object' || typeof raw.id !== 'string' || raw.id === '') return null;
  const direction = raw.direction === 'in' ? 'in' : 'out';
  const choices = Array.isArray(raw.choices)
    ? raw.choices.filter((c) => c && typeof c.id === 'string' && typeof c.label === 'string')
    : [];
  const attachments = Array.isArray(raw.attachments)
    ? raw.attachments.filter((a) => a && typeof a === 'object' && typeof a.filename === 'string')
    : [];
  return {
    id: raw.id,
    direction,
    author: typeof raw.author === 'string' ? raw.author : direction === 'in' ? 'reporter' : 'bot',
    text: typeof raw.text === 'string' ? raw.text : '',
    choices,
    attachments,
    createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : new Date().toISOString(),
  };
}

export function createApi(baseUrl) {
  const endpoint = (path) => new URL(`webchat/v1/${path}`, baseUrl).toString();
  const conversationPath = (session, rest) => `conversations/${encodeURIComponent(session.conversationId)}/${rest}`;

  async function request(method, path, { token, json, body, headers = {}, signal } = {}) {
    const init = { method, headers: { Accept: 'application/json', ...headers }, signal, cache: 'no-store' };
    if (token) init.headers.Authorization = `Bearer ${token}`;
    if (json !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(json);
    } else if (body !== undefined) {
      init.body = body;
    }
    let response;
    try {
      response = await fetch(endpoint(path), init);
    } catch (cause) {
      if (cause && cause.name === 'AbortError') throw cause;
      throw new ApiError(cause instanceof Error ? cause.message : 'Network error');
    }
    if (!response.ok) throw await toApiError(response);
    return response.status === 204 ? null : response.json();
  }

  return {
    baseUrl,
    config: () => request('GET', 'config'),
    // `who`: {user} signed by the embedding page, or {name, email} the visitor typed (all optional).
    createConversation: (locale, who = {}) => request('POST', 'conversations', { json: { ...(locale ? { locale } : {}), ...who } }),
    sendMessage: (session, payload, idempotencyKey) =>
      request('POST', conversationPath(session, 'messages'), {
        token: session.token,
        json: payload,
        headers: { 'Idempotency-Key': idempotencyKey },
      }),
    async listMessages(session, after, signal) {
      const query = after ? `?after=${encodeURIComponent(after)}` : '';
      const page = await request('GET', conversationPath(session, `messages${query}`), { token: session.token, signal });
      const messages = Array.isArray(page?.messages) ? page.messages.map(normalizeMessage).filter(Boolean) : [];
      return { messages, cursor: typeof page?.cursor === 'string' && page.cursor ? page.cursor : after };
    },
    reporter: (session) => request('GET', conversationPath(session, 'reporter'), { token: session.token }),
    updateReporter: (session, details) => request('PUT', conversationPath(session, 'reporter'), { token: session.token, json: details }),
    uploadAttachment: (session, file) =>
      request('POST', conversationPath(session, 'attachments'), {
        token: session.token,
        body: file,
        headers: {
          'Content-Type': file.type || 'application/octet-stream',
          'X-Filename': encodeURIComponent(file.name || 'file'),
        },
      }),
    /** EventSource cannot send headers, hence the token in the query. `after` lets a fresh stream skip history. */
    eventsUrl(session, after) {
      const url = new URL(endpoint(conversationPath(session, 'events')));
      url.searchParams.set('token', session.token);
      if (after) url.searchParams.set('after', after);
      return url.toString();
    },
  };
}
