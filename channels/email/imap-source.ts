import { ImapFlow } from 'imapflow';
import { backoffDelay, sleep, withDeadline, type BackoffOptions } from './backoff.js';
import { headFields, independentQueues } from './batch.js';

/**
 * Supervised IMAP intake. imapflow neither reconnects nor lets a closed client be reused, so every connection is
 * a fresh client run as one "session"; the supervisor restarts sessions with exponential backoff. Each session
 * catches up by UID (UID > checkpoint), then waits in IDLE (imapflow polls instead on servers without IDLE),
 * with a periodic catch-up as a safety net and a NOOP watchdog that replaces a silently stalled connection.
 *
 * Delivery is at-least-once: the checkpoint advances only after `onMail` resolved. A crash between the two
 * redelivers the mail; the intake deduplicates by Message-ID.
 */

export interface ImapCheckpointState {
  uidValidity: number;
  lastUid: number;
}

export interface ImapCheckpoint {
  load(): Promise<ImapCheckpointState | null>;
  save(state: ImapCheckpointState): Promise<void>;
}

export interface ImapMailMeta {
  uid: number;
  uidValidity: number;
  /** Message-ID header of the mail (with brackets), when present. */
  messageId?: string;
}

/** What to do with a mail once `onMail` resolved. */
export type ProcessedAction = { kind: 'seen' } | { kind: 'move'; folder: string } | { kind: 'none' };

export interface ImapSourceLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ImapSourceOptions {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox?: string;
  processedAction: ProcessedAction;
  logger: ImapSourceLogger;
  checkpoint: ImapCheckpoint;
  /** Resolving means the mail is durably handled; only then does the checkpoint advance. */
  onMail(raw: Buffer, meta: ImapMailMeta): Promise<void>;
  /**
   * After a UIDVALIDITY change every mail is re-scanned; this tells which Message-IDs were already handled so they
   * are skipped (and still get the processed action). Without it, re-scanned mail is handed to `onMail` again.
   */
  knownMessageIds?(ids: string[]): Promise<Set<string>>;
  /** On the very first start (no checkpoint): take every mail, only unseen ones, or only mail arriving from now. */
  initialSync?: 'all' | 'unseen' | 'new';
  /** Safety-net catch-up interval (also the polling interval when the server lacks IDLE). Default 60 s. */
  pollIntervalMs?: number;
  /** A NOOP is sent this often; if it does not complete within `stallTimeoutMs` the connection is replaced. */
  heartbeatMs?: number;
  stallTimeoutMs?: number;
  reconnect?: BackoffOptions;
  /** Mails fetched per round trip. */
  batchSize?: number;
  /**
   * Mails of one batch handled at the same time. Mails that may belong to one conversation (same sender, or one
   * referencing another's Message-ID) stay in one queue, in UID order; only independent queues run in parallel.
   * Default 8; 1 handles everything in order.
   */
  concurrency?: number;
  /** Passed to imapflow (e.g. `{ rejectUnauthorized: false }` for self-signed test servers). */
  tls?: Record<string, unknown>;
  /** imapflow's auto-IDLE delay after the last command; lower means new mail is noticed sooner. Default 1 s. */
  autoIdleDelayMs?: number;
}

export interface ImapSourceStatus {
  connected: boolean;
  lastError?: string;
  reconnects: number;
  delivered: number;
  lastUid?: number;
}

class StallError extends Error {
  override readonly name = 'StallError';
}

export class ImapSource {
  private readonly options: Required<
    Pick<ImapSourceOptions, 'mailbox' | 'initialSync' | 'pollIntervalMs' | 'heartbeatMs' | 'stallTimeoutMs' | 'batchSize' | 'autoIdleDelayMs' | 'concurrency'>
  > & { reconnect: BackoffOptions };
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private client: ImapFlow | undefined;
  private readonly status: ImapSourceStatus = { connected: false, reconnects: 0, delivered: 0 };
  private connectedWaiters: (() => void)[] = [];

  constructor(private readonly config: ImapSourceOptions) {
    this.options = {
      mailbox: config.mailbox ?? 'INBOX',
      initialSync: config.initialSync ?? 'unseen',
      pollIntervalMs: config.pollIntervalMs ?? 60_000,
      heartbeatMs: config.heartbeatMs ?? 120_000,
      stallTimeoutMs: config.stallTimeoutMs ?? 30_000,
      batchSize: config.batchSize ?? 50,
      concurrency: Math.max(1, config.concurrency ?? 8),
      autoIdleDelayMs: config.autoIdleDelayMs ?? 1_000,
      reconnect: config.reconnect ?? { initialMs: 1_000, maxMs: 60_000 },
    };
  }

  /** Starts the supervisor; resolves at once (the server may be down; it keeps retrying). */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.supervise();
  }

  /** Resolves once a session is connected and caught up. */
  whenConnected(): Promise<void> {
    if (this.status.connected) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** Stops receiving; an `onMail` in flight finishes first. */
  async stop(): Promise<void> {
    this.abort.abort();
    const client = this.client;
    if (client) await client.logout().catch(() => client.close());
    await this.loop;
    this.loop = undefined;
  }

  health(): ImapSourceStatus {
    return { ...this.status };
  }

  /** Drops the current connection (the supervisor reconnects); for operators and tests. */
  dropConnection(): void {
    this.client?.close();
  }

  private async supervise(): Promise<void> {
    let attempt = 0;
    while (!this.abort.signal.aborted) {
      const startedAt = Date.now();
      try {
        await this.session();
      } catch (error) {
        this.status.lastError = (error as Error)?.message ?? String(error);
        this.config.logger.warn({ err: error, attempt }, 'imap session ended with an error');
      }
      this.status.connected = false;
      if (this.abort.signal.aborted) break;
      // A session that ran for a while was healthy: start the backoff again from the beginning.
      if (Date.now() - startedAt > 60_000) attempt = 0;
      const delay = backoffDelay(attempt++, this.options.reconnect);
      this.status.reconnects++;
      this.config.logger.info({ delayMs: delay, attempt }, 'imap reconnecting');
      await sleep(delay, this.abort.signal);
    }
  }

  /** One connection, from connect to close. Resolves/rejects when the connection ends. */
  private async session(): Promise<void> {
    const { config, options } = this;
    const client = new ImapFlow({
      host: config.host,
      port: config.port,
      secure: config.secure,
      auth: { user: config.user, pass: config.pass },
      logger: false,
      autoIdleDelay: options.autoIdleDelayMs,
      // Re-issue IDLE periodically so NAT boxes and proxies see traffic.
      maxIdleTime: Math.min(options.pollIntervalMs, 5 * 60_000),
      missingIdleCommand: 'NOOP',
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
      ...(config.tls ? { tls: config.tls } : {}),
    });
    this.client = client;
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('error', (error: Error) => config.logger.warn({ err: error }, 'imap client error'));
    const timers: NodeJS.Timeout[] = [];
    try {
      await client.connect();
      // Opened without a lock: imapflow only IDLEs while no lock is held.
      const mailbox = await client.mailboxOpen(options.mailbox);
      const uidValidity = Number(mailbox.uidValidity);
      const sync = new SyncState(this, client, uidValidity);
      await sync.prepare();
      await sync.catchUp();
      this.status.connected = true;
      this.connectedWaiters.splice(0).forEach((resolve) => resolve());
      config.logger.info({ mailbox: options.mailbox, uidValidity }, 'imap connected');

      client.on('exists', () => sync.schedule());
      timers.push(setInterval(() => sync.schedule(), options.pollIntervalMs));
      timers.push(
        setInterval(() => {
          withDeadline(client.noop(), options.stallTimeoutMs, () => new StallError('NOOP timed out'))
            .catch((error: unknown) => {
              config.logger.warn({ err: error }, 'imap connection stalled; replacing it');
              client.close();
            });
        }, options.heartbeatMs),
      );
      const onAbort = (): void => client.close();
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      await closed;
      this.abort.signal.removeEventListener('abort', onAbort);
      await sync.idle();
      if (sync.failure) throw sync.failure;
    } finally {
      timers.forEach(clearInterval);
      if (client.usable) client.close();
      if (this.client === client) this.client = undefined;
    }
  }

  /** @internal used by SyncState */
  get internals(): { config: ImapSourceOptions; options: ImapSource['options']; status: ImapSourceStatus } {
    return { config: this.config, options: this.options, status: this.status };
  }
}

/** Catch-up logic of one session: which UIDs to fetch, delivering them in order, advancing the checkpoint. */
class SyncState {
  private lastUid = 0;
  private running: Promise<void> | undefined;
  private again = false;
  failure: Error | undefined;
  private rescanAll = false;

  constructor(
    private readonly source: ImapSource,
    private readonly client: ImapFlow,
    private readonly uidValidity: number,
  ) {}

  private get ctx(): ImapSource['internals'] {
    return this.source.internals;
  }

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
        // A failed onMail or command: leave the checkpoint where it is; the connection is replaced and retried.
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

  async catchUp(): Promise<void> {
    const { options } = this.ctx;
    for (;;) {
      const uids = await this.pendingUids();
      if (uids.length === 0) return;
      for (let i = 0; i < uids.length; i += options.batchSize) await this.deliverBatch(uids.slice(i, i + options.batchSize));
    }
  }

  private async pendingUids(): Promise<number[]> {
    const { options } = this.ctx;
    const lock = await this.client.getMailboxLock(options.mailbox);
    try {
      const unseenOnly = this.lastUid === 0 && options.initialSync === 'unseen';
      const query = unseenOnly ? { uid: `${this.lastUid + 1}:*`, seen: false } : { uid: `${this.lastUid + 1}:*` };
      const found = await this.client.search(query, { uid: true });
      // "n:*" always matches the highest UID, even when it is below n.
      return (found || []).filter((uid) => uid > this.lastUid).sort((a, b) => a - b);
    } finally {
      lock.release();
    }
  }

  /**
   * Fetches a batch, hands its mails to `onMail` (independent queues in parallel, see `concurrency`), then flags
   * them and saves the checkpoint once for the batch. On a handler failure the checkpoint advances only over the
   * unbroken run of handled UIDs; handled mails beyond it come again after the retry and the intake recognises
   * them by Message-ID.
   */
  private async deliverBatch(uids: number[]): Promise<void> {
    const { config, options, status } = this.ctx;
    const messages: { uid: number; source: Buffer }[] = [];
    // Lock only while fetching: commands may not be issued from inside a fetch iteration.
    const lock = await this.client.getMailboxLock(options.mailbox);
    try {
      for await (const message of this.client.fetch(uids.join(','), { uid: true, source: true }, { uid: true })) {
        if (message.source) messages.push({ uid: message.uid, source: message.source });
      }
    } finally {
      lock.release();
    }
    messages.sort((a, b) => a.uid - b.uid);
    const heads = messages.map((m) => ({ ...m, ...headFields(m.source) }));
    const known = await this.knownIds(heads);
    const done = new Set<number>();
    let failure: unknown;
    const queues = independentQueues(heads);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < queues.length) {
        const queue = queues[next++]!;
        for (const { uid, source, messageId } of queue) {
          if (failure !== undefined) return;
          try {
            if (!(messageId && known.has(messageId))) {
              await config.onMail(source, { uid, uidValidity: this.uidValidity, ...(messageId ? { messageId } : {}) });
              status.delivered++;
            }
            done.add(uid);
          } catch (error) {
            failure ??= error;
            return; // later mails of this queue must wait for this one
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, queues.length) }, worker));

    // Contiguous handled prefix: the checkpoint never passes an unhandled mail.
    let upTo = this.lastUid;
    for (const { uid } of messages) {
      if (!done.has(uid)) break;
      upTo = uid;
    }
    // Messages expunged between SEARCH and FETCH are simply gone; move past them.
    if (failure === undefined) upTo = Math.max(upTo, uids.at(-1) ?? 0);
    await this.markProcessed(messages.filter((m) => done.has(m.uid)).map((m) => m.uid));
    if (upTo > this.lastUid) {
      this.lastUid = upTo;
      status.lastUid = upTo;
      await config.checkpoint.save({ uidValidity: this.uidValidity, lastUid: upTo });
    }
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
