import { headerBlock, messageIdsIn, readHeader } from './headers.js';

/** How the IMAP source splits a fetched batch so that independent mails can be handled at the same time. */

export interface BatchMail {
  uid: number;
  source: Buffer;
  messageId?: string;
  from: string;
  referenced: string[];
}

/** The few header fields the batch needs, read from the raw header block without a full parse. */
export function headFields(source: Buffer): Omit<BatchMail, 'uid' | 'source'> {
  const block = headerBlock(source.subarray(0, 64 * 1024).toString('latin1'));
  const messageId = messageIdsIn(readHeader(block, 'Message-ID'))[0];
  const from = (/<([^<>\s]+@[^<>\s]+)>/.exec(readHeader(block, 'From') ?? '')?.[1] ?? readHeader(block, 'From') ?? '').trim().toLowerCase();
  const referenced = [...messageIdsIn(readHeader(block, 'In-Reply-To')), ...messageIdsIn(readHeader(block, 'References'))];
  return { ...(messageId ? { messageId } : {}), from, referenced };
}

/**
 * Splits a batch into queues that cannot affect each other: mails from one sender, mails referencing another mail
 * of the batch, and mails referencing the same id share a queue (union-find), kept in UID order. Queues are
 * ordered by their first UID.
 */
export function independentQueues<T extends Omit<BatchMail, 'source'>>(mails: T[]): T[][] {
  const parent = mails.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const union = (a: number, b: number): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const bySender = new Map<string, number>();
  const byId = new Map<string, number>();
  mails.forEach((m, i) => {
    const sender = bySender.get(m.from);
    if (sender === undefined) bySender.set(m.from, i);
    else union(sender, i);
    if (m.messageId) {
      const same = byId.get(m.messageId);
      if (same === undefined) byId.set(m.messageId, i);
      else union(same, i);
    }
  });
  // Referencing a mail of the batch, or the same earlier mail as another one (two people answering one of our
  // mails land in one conversation): one queue.
  const byReference = new Map<string, number>();
  mails.forEach((m, i) => {
    for (const id of m.referenced) {
      const j = byId.get(id);
      if (j !== undefined) union(i, j);
      const k = byReference.get(id);
      if (k === undefined) byReference.set(id, i);
      else union(k, i);
    }
  });
  const queues = new Map<number, T[]>();
  mails.forEach((m, i) => {
    const root = find(i);
    const queue = queues.get(root);
    if (queue) queue.push(m);
    else queues.set(root, [m]);
  });
  return [...queues.values()];
}

/**
 * Rounds of mutually independent mails: round k holds the k-th mail of every queue, in UID order, cut into
 * chunks of at most `maxSize`. Handling the rounds one after the other keeps each queue in order.
 */
export function roundsOf<T extends { uid: number }>(queues: T[][], maxSize = 50): T[][] {
  const rounds: T[][] = [];
  const depth = Math.max(0, ...queues.map((q) => q.length));
  for (let k = 0; k < depth; k++) {
    const round = queues.flatMap((q) => (k < q.length ? [q[k]!] : [])).sort((a, b) => a.uid - b.uid);
    for (let i = 0; i < round.length; i += maxSize) rounds.push(round.slice(i, i + maxSize));
  }
  return rounds;
}

/**
 * Pending UIDs (ascending) cut into fetch batches of at most `maxCount` mails and `maxBytes` (a mail larger than
 * that is a batch of its own): a batch and the one fetched ahead are held in memory together.
 */
export function fetchBatches(mails: readonly { uid: number; size: number }[], maxCount: number, maxBytes: number): number[][] {
  const batches: number[][] = [];
  let batch: number[] = [];
  let bytes = 0;
  for (const { uid, size } of mails) {
    if (batch.length > 0 && (batch.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(uid);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
