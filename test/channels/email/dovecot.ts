import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';

/**
 * A real Dovecot IMAP server for tests, run as a child process with a generated config in a temp dir
 * (passwd-file users, maildir, plain auth on 127.0.0.1, a free port). Needs `apt-get install dovecot-imapd`.
 */

const DOVECOT_CANDIDATES = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'];

export function findDovecot(): string | undefined {
  for (const candidate of DOVECOT_CANDIDATES) if (existsSync(candidate)) return candidate;
  const which = spawnSync('sh', ['-c', 'command -v dovecot'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

export const dovecotMissingReason = 'dovecot binary not found (apt-get install -y dovecot-imapd) — IMAP tests skipped';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server greets on the port. */
async function waitForGreeting(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(1000);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('* OK'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface DovecotUser {
  user: string;
  pass: string;
}

export class DovecotServer {
  readonly user: DovecotUser = { user: 'support@frontline.test', pass: 'secret-password' };
  port = 0;
  private dir = '';
  private process: ChildProcess | undefined;
  private readonly binary: string;

  constructor(binary = findDovecot()) {
    if (!binary) throw new Error(dovecotMissingReason);
    this.binary = binary;
  }

  get config(): string {
    return path.join(this.dir, 'dovecot.conf');
  }

  get imap(): { host: string; port: number; secure: false; user: string; pass: string } {
    return { host: '127.0.0.1', port: this.port, secure: false, ...this.user };
  }

  async start(): Promise<void> {
    if (!this.dir) await this.prepare();
    // Own process group: Dovecot's master leaves its imap/log/stats children running when it is stopped, so the
    // whole group (all started by this harness) is signalled on stop.
    const child = spawn(this.binary, ['-F', '-c', this.config], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    this.process = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`dovecot exited (${code}): ${stderr}`))),
    );
    await Promise.race([waitForGreeting(this.port, 10_000), exited]);
  }

  /** Stops the server and every process it started; clients see their connections dropped. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child?.pid || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
    // Give the group's other members (imap, log, stats) a moment, then make sure none is left.
    for (let i = 0; i < 20 && groupAlive(child.pid); i++) await new Promise((r) => setTimeout(r, 25));
    if (groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    this.process = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server, removes its files. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Forgets every UID of the user's maildirs (uidlist and indexes) while stopped, so the next start assigns a
   * new UIDVALIDITY — what happens when a mailbox is restored or recreated.
   */
  async resetUidValidity(): Promise<void> {
    await this.stop();
    const maildir = path.join(this.dir, 'mail', this.user.user);
    for (const entry of readdirSync(maildir)) {
      if (entry.startsWith('dovecot')) rmSync(path.join(maildir, entry), { recursive: true, force: true });
    }
    // UIDVALIDITY is the creation time in seconds; make sure the new one differs from the old.
    await new Promise((r) => setTimeout(r, 1100));
    await this.start();
  }

  /** Delivers raw messages by IMAP APPEND (one connection for all). */
  async deliver(messages: (string | Buffer)[], mailbox = 'INBOX'): Promise<void> {
    const client = new ImapFlow({ host: '127.0.0.1', port: this.port, secure: false, auth: this.user, logger: false });
    await client.connect();
    try {
      for (const message of messages) await client.append(mailbox, message);
    } finally {
      await client.logout();
    }
  }

  /** A short-lived client for assertions (flags, folder contents). */
  async withClient<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = new ImapFlow({ host: '127.0.0.1', port: this.port, secure: false, auth: this.user, logger: false });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.logout();
    }
  }

  private async prepare(): Promise<void> {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'frontline-dovecot-'));
    this.port = await freePort();
    const me = os.userInfo();
    const asRoot = me.uid === 0;
    // Dovecot refuses mail access as root; as root the mail belongs to its own unprivileged user.
    const mailUser = asRoot ? lookupUser('dovecot') : { name: me.username, uid: me.uid, gid: me.gid };
    const loginUser = asRoot ? lookupUser('dovenull').name : me.username;
    for (const sub of ['run', 'state', 'mail', 'home']) mkdirSync(path.join(this.dir, sub));
    writeFileSync(path.join(this.dir, 'passwd'), `${this.user.user}:{PLAIN}${this.user.pass}::::::\n`);
    if (asRoot) {
      for (const sub of ['mail', 'home']) chownSync(path.join(this.dir, sub), mailUser.uid, mailUser.gid);
      chmodSync(this.dir, 0o755);
    }
    writeFileSync(
      this.config,
      `# generated by test/channels/email/dovecot.ts
protocols = imap
listen = 127.0.0.1
base_dir = ${this.dir}/run
state_dir = ${this.dir}/state
instance_name = frontline-test-${this.port}
log_path = ${this.dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A restart must drop client connections, as a real server restart or crash does.
shutdown_clients = yes
default_internal_user = ${mailUser.name}
default_login_user = ${loginUser}
first_valid_uid = ${mailUser.uid}
mail_location = maildir:${this.dir}/mail/%u
mail_uid = ${mailUser.uid}
mail_gid = ${mailUser.gid}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${this.dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUser.uid} gid=${mailUser.gid} home=${this.dir}/home/%u
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Processed {
    auto = create
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${this.port}
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
# Tests open many short connections at once (concurrent APPENDs besides the adapter's own): Dovecot's default of
# 10 per user and address refused some LOGINs under load ("Command failed").
protocol imap {
  mail_max_userip_connections = 200
}
`,
    );
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function lookupUser(name: string): { name: string; uid: number; gid: number } {
  const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`system user ${name} missing (installed by dovecot-core)`);
  return { name, uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
