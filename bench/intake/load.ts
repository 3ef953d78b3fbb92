import { randomUUID } from 'node:crypto';
import { percentiles } from '../lib/stats.js';

interface Conversation {
  id: string;
  token: string;
  /** Resolves when the first reply after inbound message `messageId` is streamed. */
  waitReply(messageId: string): Promise<void>;
  close(): void;
}

/** A reporter's conversation with an open SSE stream, as the browser widget holds one. */
export async function openConversation(base: string): Promise<Conversation> {
  let created: { conversationId: string; token: string };
  for (;;) {
    const res = await fetch(`${base}/webchat/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (res.status === 201) {
      created = (await res.json()) as { conversationId: string; token: string };
      break;
    }
    if (res.status !== 503 && res.status !== 429) throw new Error(`opening a conversation failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
  }
  const controller = new AbortController();
  const res = await fetch(`${base}/webchat/v1/conversations/${created.conversationId}/events?token=${encodeURIComponent(created.token)}`, { signal: controller.signal });
  const seen: { id: string; direction: string }[] = [];
  let waiter: { messageId: string; resolve: () => void } | undefined;
  const check = () => {
    if (!waiter) return;
    const at = seen.findIndex((m) => m.id === waiter!.messageId);
    if (at >= 0 && seen.slice(at + 1).some((m) => m.direction === 'out')) {
      const w = waiter;
      waiter = undefined;
      seen.splice(0, seen.length);
      w.resolve();
    }
  };
  void (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (data) seen.push(JSON.parse(data) as { id: string; direction: string });
        }
        check();
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    id: created.conversationId,
    token: created.token,
    waitReply: (messageId) => new Promise<void>((resolve) => {
      waiter = { messageId, resolve };
      check();
    }),
    close: () => controller.abort(),
  };
}

export interface LoadResult {
  messages: number;
  /** Conversations opened for the run (each also sent one set-up message). */
  conversations: number;
  seconds: number;
  msgsPerS: number;
  p50: number;
  p95: number;
  p99: number;
}

/**
 * Closed loop: `conversations` reporters each send a message, wait until its reply is streamed, and repeat,
 * for `seconds`. Latency is POST start → reply available to the client.
 */
export async function runClosedLoop(base: string, conversations: number, seconds: number): Promise<LoadResult> {
  const convs = await Promise.all(Array.from({ length: conversations }, () => openConversation(base)));
  // Bring every conversation to the step that answers each message (the confirmation re-ask).
  await Promise.all(convs.map((c) => send(base, c, 'The VPN client disconnects every few minutes')));
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(convs.map(async (c, i) => {
    for (let n = 0; performance.now() < until; n++) latencies.push(await send(base, c, `detail ${i}-${n}`));
  }));
  const elapsed = (performance.now() - started) / 1000;
  for (const c of convs) c.close();
  return { messages: latencies.length, conversations, seconds: elapsed, msgsPerS: latencies.length / elapsed, ...percentiles(latencies) };
}

/**
 * Open loop: messages are offered at `rate` per second regardless of how fast replies come, spread over
 * idle conversations (one message in flight per conversation, as a person types). Reports achieved rate and
 * latency; offers that find no idle conversation are counted as missed.
 */
export async function runOpenLoop(base: string, conversations: number, rate: number, seconds: number): Promise<LoadResult & { missed: number }> {
  const convs = await Promise.all(Array.from({ length: conversations }, () => openConversation(base)));
  await Promise.all(convs.map((c) => send(base, c, 'Outlook does not open since the update')));
  const idle = [...convs];
  const latencies: number[] = [];
  const inflight: Promise<void>[] = [];
  let missed = 0;
  const started = performance.now();
  const total = Math.round(rate * seconds);
  for (let k = 0; k < total; k++) {
    const due = started + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const c = idle.shift();
    if (!c) {
      missed++;
      continue;
    }
    inflight.push(send(base, c, `detail ${k}`).then((ms) => {
      latencies.push(ms);
      idle.push(c);
    }));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000;
  for (const c of convs) c.close();
  return { messages: latencies.length, conversations, seconds: elapsed, msgsPerS: latencies.length / elapsed, missed, ...percentiles(latencies) };
}

/** Requests refused by admission control (503/429) since the last `takeRefused()`; each was sent again. */
let refused = 0;
export function takeRefused(): number {
  const n = refused;
  refused = 0;
  return n;
}

/**
 * Sends like the widget: a refused message (503/429) is sent again with the same Idempotency-Key after
 * Retry-After. Latency counts from the accepted attempt to the reply: what an accepted message costs.
 */
async function send(base: string, c: Conversation, text: string): Promise<number> {
  const key = randomUUID();
  for (;;) {
    const t0 = performance.now();
    const res = await fetch(`${base}/webchat/v1/conversations/${c.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}`, 'idempotency-key': key },
      body: JSON.stringify({ text }),
    });
    if (res.status === 503 || res.status === 429) {
      await res.arrayBuffer();
      refused++;
      const seconds = Number(res.headers.get('retry-after') ?? 1);
      await new Promise((r) => setTimeout(r, (Number.isFinite(seconds) ? seconds : 1) * 1000 * (0.5 + Math.random())));
      continue;
    }
    if (res.status !== 202) throw new Error(`POST failed: ${res.status} ${await res.text()}`);
    const { messageId } = (await res.json()) as { messageId: string };
    await c.waitReply(messageId);
    return performance.now() - t0;
  }
}

/** The bare limit: the same server answering a route that does one INSERT, closed loop. */
export async function runBare(base: string, concurrency: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const res = await fetch(`${base}/bench/bare`, { method: 'POST' });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  return { messages: latencies.length, conversations: 0, seconds: elapsed, msgsPerS: latencies.length / elapsed, ...percentiles(latencies) };
}
