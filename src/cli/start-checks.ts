/**
 * What `frontline start` checks or does around the server that is about the operator's terminal, not the
 * server: a busy port is said plainly before anything else runs (migrations included), and the first-start
 * admin token reaches a person, never a log file.
 */
import { mkdirSync, openSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Whether `port` on `host` can be bound now (port 0, "any free port", always can). */
export function portFree(port: number, host: string): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code !== 'EADDRINUSE' && err.code !== 'EACCES'));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

export const portInUse = (port: number) => `frontline: port ${port} is in use, set PORT (or --port) to a free port\n`;

/**
 * The token on the terminal when there is one: stdout if it is a terminal, else the controlling terminal
 * (`npm start > frontline.log` still shows it to the person who started it). Without any terminal (a service
 * manager) it goes to a file only its owner can read, and the output names the file, not the token.
 */
export function showBootstrapToken(token: string, dataDir: string, out: NodeJS.WriteStream = process.stdout): void {
  const text = `First start: an admin API token was created. Store it now, it is not shown again:\n  ${token}\n\n`;
  if (out.isTTY) {
    out.write(text);
    return;
  }
  try {
    const tty = openSync('/dev/tty', 'w');
    try {
      writeSync(tty, text);
    } finally {
      closeSync(tty);
    }
    out.write('First start: an admin API token was created and shown on the terminal (not in this output).\n\n');
    return;
  } catch {
    // No controlling terminal.
  }
  mkdirSync(dataDir, { recursive: true });
  const file = path.resolve(dataDir, 'admin-token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  out.write(`First start: an admin API token was created; it is in ${file} (readable only by this user). Store it and delete the file.\n\n`);
}
