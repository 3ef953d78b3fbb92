import { describe, expect, it } from 'vitest';
import { fetchBatches, headFields, independentQueues, roundsOf } from '../../../channels/email/batch.js';

const m = (uid: number, from: string, messageId?: string, referenced: string[] = []) => ({ uid, from, referenced, ...(messageId ? { messageId } : {}) });
const uids = (queues: { uid: number }[][]) => queues.map((q) => q.map((x) => x.uid));

describe('independentQueues', () => {
  it('keeps one sender in one queue, in UID order, and separates different senders', () => {
    const queues = independentQueues([m(1, 'a@x'), m(2, 'b@x'), m(3, 'a@x'), m(4, 'c@x'), m(5, 'b@x')]);
    expect(uids(queues)).toEqual([[1, 3], [2, 5], [4]]);
  });

  it('joins mails that reference each other even from different senders (one thread, several people)', () => {
    const queues = independentQueues([
      m(1, 'a@x', '<root@x>'),
      m(2, 'b@x', '<b1@x>'),
      m(3, 'c@x', '<c1@x>', ['<root@x>']), // c answers a's mail of the same batch
      m(4, 'd@x', '<d1@x>', ['<elsewhere@x>']),
      m(5, 'b@x', '<b2@x>'),
    ]);
    expect(uids(queues)).toEqual([[1, 3], [2, 5], [4]]);
  });

  it('joins different people answering the same earlier mail (they write into one conversation)', () => {
    const queues = independentQueues([m(1, 'a@x', '<a1@x>', ['<ours-1@frontline.test>']), m(2, 'b@x', '<b1@x>'), m(3, 'c@x', '<c1@x>', ['<root@x>', '<ours-1@frontline.test>'])]);
    expect(uids(queues)).toEqual([[1, 3], [2]]);
  });

  it('treats a redelivered Message-ID as the same queue and mails without a sender as one queue', () => {
    expect(uids(independentQueues([m(1, 'a@x', '<same@x>'), m(2, 'b@x', '<same@x>'), m(3, ''), m(4, '')]))).toEqual([[1, 2], [3, 4]]);
  });
});

describe('roundsOf', () => {
  it('takes the k-th mail of every queue into round k, in UID order, cut at the size limit', () => {
    const queues = independentQueues([m(1, 'a@x'), m(2, 'b@x'), m(3, 'a@x'), m(4, 'c@x'), m(5, 'b@x'), m(6, 'a@x')]);
    expect(uids(roundsOf(queues))).toEqual([[1, 2, 4], [3, 5], [6]]);
    expect(uids(roundsOf(queues, 2))).toEqual([[1, 2], [4], [3, 5], [6]]);
    expect(roundsOf([])).toEqual([]);
  });
});

describe('headFields', () => {
  it('reads sender, Message-ID and references from the raw header block only', () => {
    const raw = Buffer.from(
      ['From: "Anna S" <Anna.S@Example.se>', 'Message-ID: <m1@example.se>', 'In-Reply-To: <p@x>', 'References: <r@x>', '  <p@x>', '', 'Message-ID: <body@x>'].join('\r\n'),
    );
    expect(headFields(raw)).toEqual({ messageId: '<m1@example.se>', from: 'anna.s@example.se', referenced: ['<p@x>', '<r@x>', '<p@x>'] });
    expect(headFields(Buffer.from('From: bob@example.org\r\n\r\nhi')).from).toBe('bob@example.org');
  });
});

describe('fetchBatches', () => {
  it('cuts fetch batches by count and by bytes; a mail above the byte budget is fetched alone', () => {
    const mails = [
      { uid: 1, size: 10 }, { uid: 2, size: 10 }, { uid: 3, size: 10 }, // count cut after 2
      { uid: 4, size: 50 }, { uid: 5, size: 60 }, // bytes: 50 + 60 > 100
      { uid: 7, size: 500 }, // alone: larger than the budget
      { uid: 8, size: 1 },
    ];
    expect(fetchBatches(mails, 2, 100)).toEqual([[1, 2], [3, 4], [5], [7], [8]]);
    expect(fetchBatches([], 2, 100)).toEqual([]);
    expect(fetchBatches(mails, 250, 10_000)).toEqual([[1, 2, 3, 4, 5, 7, 8]]);
  });
});

