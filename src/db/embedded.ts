import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { FrontlineError } from '../errors.js';

/** Port number only used to name the socket file the way libpq expects (`<dir>/.s.PGSQL.<port>`). */
export const EMBEDDED_SOCKET_PORT = 5432;

export interface EmbeddedPostgres {
  /** Directory holding the Unix socket; pass as `host` to pg. */
  socketDir: string;
  /** Set when this process is a client of the server that runs the database (see `attachEmbeddedPostgres`). */
  serverPid?: number;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (real PostgreSQL compiled to WASM) on `dataDir` and serves it on a Unix socket so Prisma and
 * pg-boss talk to it with the same driver and SQL as production PostgreSQL.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const pgdata = path.resolve(dataDir, 'pgdata');
  const socketDir = path.resolve(dataDir, 'run');
  await mkdir(pgdata, { recursive: true });
  await mkdir(socketDir, { recursive: true });
  const lockFile = path.join(dataDir, 'frontline.pid');
  await takeLock(lockFile);

  // 16MB shared buffers keep an idle embedded install at ~230 MB RSS instead of ~360 MB (GUIDE.md §1).
  const db = await PGlite.create({ dataDir: pgdata, startParams: undefined, postgresqlconf: ['shared_buffers=16MB'] })
    .catch(async (err: unknown) => {
      await rm(lockFile, { force: true });
      throw new FrontlineError('DB_EMBEDDED_START', `could not open the embedded database in ${pgdata}: ${String(err)}`);
    });
  const socketPath = path.join(socketDir, `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`);
  await rm(socketPath, { force: true });
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 4 });
  await server.start();
  return {
    socketDir,
    async stop() {
      await server.stop();
      await db.close();
      await rm(lockFile, { force: true });
      await rm(socketPath, { force: true });
    },
  };
}

/**
 * For one-shot commands (`frontline chat`, `kb import`, `token create`…) next to a running server: when another
 * live process holds the data directory, connect through the Unix socket it serves the database on, instead of
 * refusing. Nothing is started, and `stop` leaves the server alone. Returns undefined when the directory is free
 * (the caller starts the database itself).
 */
export async function attachEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres | undefined> {
  const pid = await lockHolder(path.join(dataDir, 'frontline.pid'));
  if (pid === undefined) return undefined;
  const socketDir = path.resolve(dataDir, 'run');
  const socketPath = path.join(socketDir, `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`);
  // The server takes the lock before it opens the socket: give a starting server a moment.
  for (let waited = 0; !(await access(socketPath).then(() => true, () => false)); waited += 100) {
    if (waited >= 10_000) throw lockedError(dataDir, pid, 'and does not serve it on a socket');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { socketDir, serverPid: pid, stop: async () => {} };
}

/** The live process other than this one that holds the data directory, if any. */
async function lockHolder(lockFile: string): Promise<number | undefined> {
  const existing = await readFile(lockFile, 'utf8').catch(() => null);
  const pid = Number(existing?.trim());
  return pid && pid !== process.pid && isAlive(pid) ? pid : undefined;
}

function lockedError(dataDir: string, pid: number, why = ''): FrontlineError {
  return new FrontlineError(
    'DB_EMBEDDED_LOCKED',
    `the embedded database in ${dataDir} is in use by process ${pid}${why ? ` ${why}` : ''}; stop it, or set ` +
      'FRONTLINE_DATA_DIR to another directory, or use DATABASE_URL for several instances',
  );
}

/** PGlite is single-process: two servers on one data directory would corrupt it, so refuse clearly. */
async function takeLock(lockFile: string): Promise<void> {
  const pid = await lockHolder(lockFile);
  if (pid !== undefined) throw lockedError(path.dirname(lockFile), pid);
  await writeFile(lockFile, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
