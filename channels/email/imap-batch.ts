import type { ImapFlow } from 'imapflow';
import { fetchBatches, headFields, independentQueues, roundsOf } from './batch.js';
import type { SyncContext } from './imap-source.js';

type Fetched = ReturnType<typeof headFields> & { uid: number; source: Buffer };

/**
 * Catch-up logic of one IMAP session: which UIDs to fetch, delivering them in rounds of independent mails,
 * advancing the checkpoint.
 */
export class SyncState {
  private lastUid = 0;
  private running: Promise<void> | undefined;
  private again = false;
  failure: Error | undefined;
  private rescanAll = false;

  constructor(
    private readonly ctx: SyncContext,
    private readonly client: ImapFlow,
    private readonly uidValidity: number,
  ) {}

  /** Loads the checkpoint and decides where to start. */
  async prepare(): Promise<void> {
    const { config, options } = this.ctx;
    const saved = await config.checkpoint.load();
    if (saved && saved.uidValidity === this.uidValidity) {
      this.lastUid = saved.lastUid;
      return;
    }
    if (saved) {
      config.logger.warn({ old: saved.uidValidity, new: this.uidValidity }, 'UIDVALIDITY changed; re-scanning mailbox');
      this.rescanAll = true;
      this.lastUid = 0;
      return;
    }
    if (options.initialSync === 'new') {
      const status = await this.client.status(options.mailbox, { uidNext: true });
      const uidNext = status ? (status.uidNext ?? 1) : 1;
      this.lastUid = Math.max(0, uidNext - 1);
    }
    await config.checkpoint.save({ uidValidity: this.uidValidity, lastUid: this.lastUid });
  }

  /** Runs a catch-up now, or once more after the running one. */
  schedule(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.catchUp()
      .catch((error: unknown) => {
        // A failed handler or command: leave the checkpoint where it is; the connection is replaced and retried.
        this.failure = error as Error;
        this.ctx.config.logger.error({ err: error }, 'imap catch-up failed');
        this.client.close();
      })
      .finally(() => {
        this.running = undefined;
        if (this.again && this.client.usable) {
          this.again = false;
          this.schedule();
        }
      });
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Delivers everything past the checkpoint, batch by batch. The next batch is fetched (and announced through
   * `onFetched`) while the current one is handled, so IMAP transfer and parsing overlap the database work; a
   * handled batch's bookkeeping (flag the mails, save the checkpoint) runs while the next one is handled.
   */
  async catchUp(): Promise<void> {
    const { options } = this.ctx;
    for (;;) {
      const pending = await this.pending();
      if (pending.length === 0) return;
      const batches = fetchBatches(pending, options.batchSize, options.batchBytes);
      // A fetch ahead may fail while the current batch is handled (connection lost): observed at once, so that is
      // never an unhandled rejection; the loop still gets the error when it awaits the batch.
      const ahead = (uids: number[]) => {
        const fetching = this.fetch(uids);
        fetching.catch(() => {});
        return fetching;
      };
      let next: Promise<Fetched[]> | undefined = ahead(batches[0]!);
      // Bookkeeping runs batch after batch, in order: the checkpoint only ever moves forward.
      let finishing: Promise<void> = Promise.resolve();
      let bookkeeping: { error: unknown } | undefined; // set when flagging or saving the checkpoint failed
      for (const [i, batch] of batches.entries()) {
        let fetched: Fetched[];
        try {
          fetched = await next!;
        } catch (error) {
          await finishing.catch(() => {}); // the fetch error is the one to report
          throw error;
        }
        // The checkpoint could not be saved (database down): stop here, the retry starts from the last saved one.
        if (bookkeeping) throw bookkeeping.error;
        next = i + 1 < batches.length ? ahead(batches[i + 1]!) : undefined;
        const { done, failure } = await this.deliverBatch(fetched); // on a throw, the retry fetches `next` again
        const previous = finishing;
        finishing = previous.then(() => this.finishBatch(batch, fetched, done, failure === undefined));
        // Observed here at once, so a failure is never an unhandled rejection while the next batch is handled.
        finishing.catch((error: unknown) => (bookkeeping ??= { error }));
        if (failure !== undefined) {
          await finishing.catch(() => {}); // what was handled is still flagged and checkpointed
          throw failure;
        }
      }
      await finishing;
    }
  }

  /**
   * The mails past the checkpoint with their sizes (for batches bounded in bytes), in UID order: one FETCH of
   * UID and RFC822.SIZE, no bodies. On a first start that takes only unseen mail, the flags say which.
   */
  private async pending(): Promise<{ uid: number; size: number }[]> {
    const { options } = this.ctx;
    const unseenOnly = this.lastUid === 0 && options.initialSync === 'unseen';
    const out: { uid: number; size: number }[] = [];
    const lock = await this.client.getMailboxLock(options.mailbox);
    try {
      for await (const m of this.client.fetch(`${this.lastUid + 1}:*`, { uid: true, size: true, flags: unseenOnly }, { uid: true })) {
        // "n:*" always matches the highest UID, even when it is below n.
        if (m.uid > this.lastUid && !(unseenOnly && m.flags?.has('\\Seen'))) out.push({ uid: m.uid, size: m.size ?? 0 });
      }
    } finally {
      lock.release();
    }
    return out.sort((a, b) => a.uid - b.uid);
  }

  /**
   * Hands a fetched batch to the handler round by round (see `onMails`). A failed round stops the batch: its
   * mails and all later ones are not done.
   */
  private async deliverBatch(messages: Fetched[]): Promise<{ done: Set<number>; failure: unknown }> {
    const { options, status } = this.ctx;
    const known = await this.knownIds(messages);
    const done = new Set<number>();
    let failure: unknown;
    for (const round of roundsOf(independentQueues(messages), options.roundSize)) {
      const todo = round.filter((m) => !(m.messageId && known.has(m.messageId)));
      round.filter((m) => !todo.includes(m)).forEach((m) => done.add(m.uid));
      try {
        await this.deliverRound(todo, done);
      } catch (error) {
        failure = error;
        break;
      }
      status.delivered += todo.length;
    }
    return { done, failure };
  }

  /**
   * Flags the handled mails and saves the checkpoint once for the batch. The checkpoint advances only over the
   * unbroken run of handled UIDs; handled mails beyond it (of earlier rounds, with higher UIDs) come again after
   * a retry and the intake recognises them by Message-ID.
   */
  private async finishBatch(uids: number[], messages: Fetched[], done: Set<number>, complete: boolean): Promise<void> {
    const { config, status } = this.ctx;
    let upTo = this.lastUid;
    for (const { uid } of messages) {
      if (!done.has(uid)) break;
      upTo = uid;
    }
    // Messages expunged between listing and fetching them are simply gone; move past them.
    if (complete) upTo = Math.max(upTo, uids.at(-1) ?? 0);
    await this.markProcessed(messages.filter((m) => done.has(m.uid)).map((m) => m.uid));
    if (upTo > this.lastUid) {
      this.lastUid = upTo;
      status.lastUid = upTo;
      await config.checkpoint.save({ uidValidity: this.uidValidity, lastUid: upTo });
    }
  }

  /** A batch's mails in UID order, announced to `onFetched`. */
  private async fetch(uids: number[]): Promise<Fetched[]> {
    const { config, options } = this.ctx;
    const messages: Fetched[] = [];
    // Lock only while fetching: commands may not be issued from inside a fetch iteration.
    const lock = await this.client.getMailboxLock(options.mailbox);
    try {
      for await (const message of this.client.fetch(uids.join(','), { uid: true, source: true }, { uid: true })) {
        if (message.source) messages.push({ uid: message.uid, source: message.source, ...headFields(message.source) });
      }
    } finally {
      lock.release();
    }
    messages.sort((a, b) => a.uid - b.uid);
    config.onFetched?.(messages.map((m) => m.source));
    return messages;
  }

  /** One `onMails` call for the round; with `onMail` instead, each mail that succeeded counts as done. */
  private async deliverRound(round: Fetched[], done: Set<number>): Promise<void> {
    if (round.length === 0) return;
    const { config, options } = this.ctx;
    const meta = (m: Fetched) => ({ uid: m.uid, uidValidity: this.uidValidity, ...(m.messageId ? { messageId: m.messageId } : {}) });
    if (config.onMails) {
      await config.onMails(round.map((m) => ({ raw: m.source, meta: meta(m) })));
      round.forEach((m) => done.add(m.uid));
      return;
    }
    const onMail = config.onMail!;
    let next = 0;
    let failure: unknown;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < round.length) {
        const m = round[next++]!;
        try {
          await onMail(m.source, meta(m));
          done.add(m.uid);
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, round.length) }, worker));
    if (failure !== undefined) throw failure;
  }

  private async knownIds(messages: { messageId?: string }[]): Promise<Set<string>> {
    const { config } = this.ctx;
    if (!this.rescanAll || !config.knownMessageIds) return new Set();
    return config.knownMessageIds(messages.map((m) => m.messageId).filter((id): id is string => Boolean(id)));
  }

  /** One STORE (or MOVE) for the whole batch instead of one per mail. */
  private async markProcessed(uids: number[]): Promise<void> {
    const { config, options } = this.ctx;
    const action = config.processedAction;
    if (action.kind === 'none' || uids.length === 0) return;
    try {
      const lock = await this.client.getMailboxLock(options.mailbox);
      try {
        if (action.kind === 'seen') await this.client.messageFlagsAdd(uids.join(','), ['\\Seen'], { uid: true });
        else await this.client.messageMove(uids.join(','), action.folder, { uid: true });
      } finally {
        lock.release();
      }
    } catch (error) {
      // The mail is handled; failing to flag it only costs a re-check, never a duplicate (UID checkpoint).
      config.logger.warn({ err: error, uids: uids.length }, 'could not mark processed mail');
    }
  }
}
