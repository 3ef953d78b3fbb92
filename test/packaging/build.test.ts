import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The compiled runtime, in a copy of the project (so this worktree's dist/ is left alone): bin/frontline.js
 * compiles what is missing or stale, runs the bundle, keeps channel SDKs out of the start-up path, and the
 * bundled server still finds the files beside its sources (dialogs, migrations, the web chat page).
 */
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const COPIED = ['src', 'channels', 'bin', 'scripts', 'dialogs', 'kb', 'prisma', 'package.json'];
/** SDKs of optional channels: loaded only when their channel is enabled. */
const OPTIONAL_SDKS = ['@slack/bolt', '@microsoft/agents-hosting', '@microsoft/agents-activity', 'imapflow', 'mailparser', 'nodemailer'];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('compiled runtime', () => {
  let copy = '';
  const frontline = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [path.join(copy, 'bin/frontline.js'), ...args], { cwd: copy, env: { ...process.env, ...env }, timeout: 120_000 });

  beforeAll(async () => {
    copy = await mkdtemp(path.join(os.tmpdir(), 'fl-build-'));
    for (const entry of COPIED) await cp(path.join(root, entry), path.join(copy, entry), { recursive: true });
    await symlink(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  });
  afterAll(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  it('builds on first use, runs the bundle, and rebuilds after a source changes', async () => {
    const first = await frontline(['--version']);
    expect(first.stderr).toMatch(/compiling/);
    expect(first.stdout.trim()).toBe('0.1.0');
    const info = JSON.parse(await readFile(path.join(copy, 'dist/build.json'), 'utf8')) as { inputs: number };
    expect(info.inputs).toBeGreaterThan(50);

    const again = await frontline(['--version']);
    expect(again.stderr).not.toMatch(/compiling/); // fresh: no rebuild

    // An edited source is never run stale.
    const app = path.join(copy, 'src/app.ts');
    await writeFile(app, (await readFile(app, 'utf8')).replace("VERSION = '0.1.0'", "VERSION = '9.9.9-edited'"));
    const edited = await frontline(['--version']);
    expect(edited.stderr).toMatch(/compiling/);
    expect(edited.stdout.trim()).toBe('9.9.9-edited');
  }, 180_000);

  it('keeps optional channel SDKs out of the start-up bundle, and maps back to the TypeScript sources', async () => {
    await frontline(['--version']);
    const meta = JSON.parse(await readFile(path.join(copy, 'dist/meta.json'), 'utf8')) as {
      outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[]; entryPoint?: string }>;
    };
    const [, entry] = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === 'src/cli/main.ts')!;
    const statics = entry.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path);
    expect(statics).toContain('express');
    for (const sdk of OPTIONAL_SDKS) expect(statics.filter((p) => p === sdk || p.startsWith(`${sdk}/`))).toEqual([]);
    // …but each is reachable through a lazily loaded chunk.
    const dynamic = entry.imports.filter((i) => i.kind === 'dynamic-import').length;
    expect(dynamic).toBeGreaterThanOrEqual(4);
    const map = JSON.parse(await readFile(path.join(copy, 'dist/cli.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources).toContain('../src/cli/main.ts');
  }, 180_000);

  it('starts the bundled server: migrations, dialogs and the web chat page are found from dist/', async () => {
    await frontline(['--version']);
    const port = await freePort();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fl-build-data-'));
    const server = spawn(process.execPath, [path.join(copy, 'bin/frontline.js'), 'start'], {
      cwd: copy,
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), HOST: '127.0.0.1', PORT: String(port), FRONTLINE_DATA_DIR: dataDir, LOG_FORMAT: 'json', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const base = `http://127.0.0.1:${port}`;
      const until = Date.now() + 150_000;
      let ready = false;
      while (!ready && Date.now() < until && server.exitCode === null) {
        ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
        if (!ready) await new Promise((r) => setTimeout(r, 300));
      }
      expect(ready, `server output:\n${output}`).toBe(true);
      expect(output).not.toMatch(/compiling/);
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      // The greeting comes from dialogs/*.yaml, read beside the sources.
      const opened = await fetch(`${base}/webchat/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(opened.status).toBe(201);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
