import { z } from 'zod';

/**
 * The one raw-HTTP client for Meta's Graph API (there is no official Node SDK for the Cloud API): base URL,
 * API version, bearer token, and Graph's error body turned into a typed {@link GraphError}.
 */

/** Graph's error body: `{"error": {message, type, code, error_subcode, error_data: {details}, fbtrace_id}}`. */
const errorBodySchema = z.object({
  error: z.object({
    message: z.string().default('unknown Graph error'),
    type: z.string().optional(),
    code: z.coerce.number().optional(),
    error_subcode: z.coerce.number().optional(),
    error_data: z.object({ details: z.string().optional() }).passthrough().optional(),
    fbtrace_id: z.string().optional(),
  }).passthrough(),
});

export class GraphError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | undefined,
    readonly details: string | undefined,
    /** From a Retry-After header, when Graph sent one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export interface GraphClientOptions {
  apiUrl: string;
  apiVersion: string;
  accessToken: string;
  /** Per request; Graph answers in well under a second, a hung connection must not hold the outbox lease. */
  timeoutMs?: number;
}

export class GraphClient {
  constructor(private readonly options: GraphClientOptions) {}

  private url(path: string): string {
    return `${this.options.apiUrl}/${this.options.apiVersion}/${path.replace(/^\/+/, '')}`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.options.accessToken}`, ...extra };
  }

  async getJson<T>(path: string): Promise<T> {
    return this.request<T>(this.url(path), { method: 'GET', headers: this.headers() });
  }

  async postJson<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(this.url(path), { method: 'POST', headers: this.headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
  }

  async postForm<T>(path: string, form: FormData): Promise<T> {
    return this.request<T>(this.url(path), { method: 'POST', headers: this.headers(), body: form });
  }

  /**
   * Downloads a media URL from `GET /{media-id}` (it needs the token too). Stops reading past `maxBytes`, so an
   * oversized file costs at most that much memory.
   */
  async download(url: string, maxBytes: number): Promise<{ data: Buffer; contentType: string | undefined } | 'too_large'> {
    const res = await fetch(url, { headers: this.headers(), signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000) });
    if (!res.ok) throw await toGraphError(res);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body?.cancel();
      return 'too_large';
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const reader = res.body?.getReader();
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      size += next.value.length;
      if (size > maxBytes) {
        await reader!.cancel();
        return 'too_large';
      }
      chunks.push(Buffer.from(next.value));
    }
    return { data: Buffer.concat(chunks), contentType: res.headers.get('content-type') ?? undefined };
  }

  private async request<T>(url: string, init: RequestInit): Promise<T> {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) });
    if (!res.ok) throw await toGraphError(res);
    return (await res.json()) as T;
  }
}

async function toGraphError(res: Response): Promise<GraphError> {
  const text = await res.text().catch(() => '');
  const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined;
  let parsed: z.infer<typeof errorBodySchema> | undefined;
  try {
    const r = errorBodySchema.safeParse(JSON.parse(text));
    if (r.success) parsed = r.data;
  } catch {
    // not JSON: a proxy's error page
  }
  if (!parsed) return new GraphError(`Graph HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, res.status, undefined, undefined, retryAfterMs);
  const e = parsed.error;
  const details = e.error_data?.details;
  return new GraphError(`${e.message}${details && details !== e.message ? ` (${details})` : ''}`, res.status, e.code, details, retryAfterMs);
}
