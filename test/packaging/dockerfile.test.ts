import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CHANNEL_SETTING_KEYS } from '../../src/channel-registry.js';
import { configKeys } from '../../src/config/load.js';

/**
 * Images cannot be built here (no registry for base images), so the Dockerfile's own instructions are replayed
 * in a clean directory: each stage's COPY (honouring .dockerignore), RUN, ENV, then the final CMD, and the
 * HEALTHCHECK must report the started server healthy. A recipe that misses a file the server needs fails here.
 */
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

const execForm = (args: string) => JSON.parse(args.replace(/^(--\S+\s+)*(CMD\s+)?/, '')) as string[];

function envPairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) out[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return out;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('production packaging', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('the Dockerfile, replayed in a clean directory, starts a server whose health check passes', async () => {
    const ignore = (await readFile(path.join(root, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const ignored = (rel: string) => ignore.some((p) => (p.startsWith('*') ? rel.endsWith(p.slice(1)) : rel === p || rel.startsWith(`${p}/`)));
    const stages = new Map<string, string>();
    let current = '';
    let env: Record<string, string> = {};
    let cmd: string[] = [];
    let health: string[] = [];
    let user = '';
    for (const { op, args } of instructions(await readFile(path.join(root, 'Dockerfile'), 'utf8'))) {
      if (op === 'FROM') {
        current = await mkdtemp(path.join(os.tmpdir(), 'fl-image-'));
        dirs.push(current);
        const name = /\bAS\s+(\S+)/i.exec(args)?.[1];
        stages.set(name ?? 'final', current);
        env = {};
      } else if (op === 'COPY') {
        const from = /--from=(\S+)/.exec(args)?.[1];
        const parts = args.replace(/--\S+\s*/g, '').split(/\s+/);
        const dest = path.join(current, parts.pop()!);
        for (const src of parts) {
          if (from) {
            await cp(path.join(stages.get(from)!, src.replace(/^\/app\/?/, '')), dest, { recursive: true, verbatimSymlinks: true });
          } else {
            const target = parts.length > 1 || dest.endsWith('/') ? path.join(dest, path.basename(src)) : dest;
            await cp(path.join(root, src), src === '.' ? dest : target, {
              recursive: true,
              filter: (p) => !ignored(path.relative(root, p).split(path.sep).join('/')),
            });
          }
        }
      } else if (op === 'ENV') {
        Object.assign(env, envPairs(args));
      } else if (op === 'RUN') {
        // Image-only steps (users, ownership) need root and an image; the rest runs as written.
        if (/chown|useradd|mkdir -p \/data/.test(args)) continue;
        await run('bash', ['-c', args], { cwd: current, env: { ...process.env, ...env }, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
      } else if (op === 'CMD') {
        cmd = execForm(args);
      } else if (op === 'HEALTHCHECK') {
        health = execForm(args.replace(/^.*?CMD\s+/, ''));
      } else if (op === 'USER') {
        user = args;
      }
    }
    expect(user).toBe('node'); // never root
    expect(env.FRONTLINE_DATA_DIR).toBe('/data');
    const image = stages.get('final')!;
    const dataDir = path.join(image, 'data-volume');
    await mkdir(dataDir);
    const port = await freePort();
    const runtimeEnv = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env, HOST: '127.0.0.1', PORT: String(port), FRONTLINE_DATA_DIR: dataDir };
    const server = spawn(cmd[0]!, cmd.slice(1), { cwd: image, env: runtimeEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const until = Date.now() + 90_000;
      let healthy = false;
      while (!healthy && Date.now() < until && server.exitCode === null) {
        healthy = await run(health[0]!, health.slice(1), { cwd: image, env: runtimeEnv, timeout: 10_000 }).then(() => true, () => false);
        if (!healthy) await new Promise((r) => setTimeout(r, 500));
      }
      expect(healthy, `server output:\n${output}`).toBe(true);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  }, 420_000);

  it('docker-compose runs two instances on one PostgreSQL with only known settings', async () => {
    const compose = parseYaml(await readFile(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string>; build?: string; depends_on?: unknown }>;
    };
    const frontline = Object.entries(compose.services).filter(([, s]) => s.build === '.');
    expect(frontline.length).toBe(2);
    for (const [, service] of frontline) {
      expect(service.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
      for (const key of Object.keys(service.environment ?? {})) expect([...configKeys(), ...CHANNEL_SETTING_KEYS]).toContain(key);
    }
    expect(compose.services.postgres).toBeDefined();
  });
});
