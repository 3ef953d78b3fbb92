import { randomUUID } from 'node:crypto';
import { eventually } from './app.js';

export interface WebchatMessageJson {
  id: string;
  direction: 'in' | 'out';
  author: string;
  text: string;
  choices?: { id: string; label: string }[];
  attachments?: { id: string; filename: string; contentType: string; size: number; url: string }[];
  createdAt: string;
}

/** A web chat visitor speaking the public HTTP API, as the browser widget does. */
export class WebchatClient {
  conversationId = '';
  token = '';
  cursor = '0';
  readonly transcript: WebchatMessageJson[] = [];


  /**
   * Like the page, a write refused by admission control (503/429 + Retry-After: nothing was stored) is sent
   * again, so suites that burst many conversations at a server keep working; `busyRetry = false` shows the refusal.
   */
  constructor(readonly baseUrl: string, private readonly busyRetry = true) {}

  private async retryingBusy(request: () => Promise<Response>): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const res = await request();
      if (!this.busyRetry || (res.status !== 503 && res.status !== 429) || attempt >= 60) return res;
      await res.arrayBuffer();
      const seconds = Number(res.headers.get('retry-after') ?? 1);
      await new Promise((r) => setTimeout(r, Math.min(1, Number.isFinite(seconds) ? seconds : 1) * (250 + Math.random() * 500)));
    }
  }

  async open(locale?: string): Promise<this> {
    const res = await this.retryingBusy(() => fetch(`${this.baseUrl}/webchat/v1/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(locale ? { locale } : {}),
    }));
    if (res.status !== 201) throw new Error(`open failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { conversationId: string; token: string };
    this.conversationId = body.conversationId;
    this.token = body.token;
    return this;
  }

  async send(body: { text?: string; choice?: string; attachments?: string[] }, idempotencyKey: string = randomUUID()): Promise<Response> {
    return this.retryingBusy(() => fetch(`${this.baseUrl}/webchat/v1/conversations/${this.conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}`, 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
    }));
  }

  /** Fetches new messages after the cursor and appends them to `transcript`. */
  async poll(): Promise<WebchatMessageJson[]> {
    const res = await fetch(`${this.baseUrl}/webchat/v1/conversations/${this.conversationId}/messages?after=${this.cursor}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (res.status !== 200) throw new Error(`poll failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { messages: WebchatMessageJson[]; cursor: string };
    this.cursor = body.cursor;
    const fresh = body.messages.filter((m) => !this.transcript.some((t) => t.id === m.id));
    this.transcript.push(...fresh);
    return fresh;
  }

  /** Waits until a bot/agent message matching `pattern` arrives; returns it. */
  async expectReply(pattern: RegExp, timeoutMs = 10_000): Promise<WebchatMessageJson> {
    return eventually(async () => {
      await this.poll();
      return this.transcript.find((m) => m.direction === 'out' && pattern.test(m.text));
    }, timeoutMs, `a reply matching ${pattern}`);
  }

  outTexts(): string[] {
    return this.transcript.filter((m) => m.direction === 'out').map((m) => m.text);
  }
}

/** Files an incident through the short report flow (describe → confirm); returns the visitor and the number. */
export async function fileIncident(url: string, text: string): Promise<{ chat: WebchatClient; number: string }> {
  const chat = await new WebchatClient(url).open();
  await chat.send({ text });
  await chat.expectReply(/Shall I go ahead/);
  await chat.send({ choice: 'yes' });
  const filed = await chat.expectReply(/INC-\d{6}/);
  return { chat, number: /INC-\d{6}/.exec(filed.text)![0] };
}
