import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerEmailCommands, type ParseLine } from '../../../channels/email/cli.js';
import { bounceDir, emlFiles, hasShared, localFixtures } from './shared-fixtures.js';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'frontline-email-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the command in-process, capturing stdout. */
async function cli(args: string[]): Promise<{ lines: string[]; exitCode: number | undefined }> {
  const program = new Command().exitOverride();
  registerEmailCommands(program);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const before = process.exitCode;
  process.stdout.write = ((chunk: string) => (chunks.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'frontline', 'email', 'parse', ...args]);
  } finally {
    process.stdout.write = write;
  }
  const exitCode = process.exitCode as number | undefined;
  process.exitCode = before;
  return { lines: chunks.join('').split('\n').filter(Boolean), exitCode };
}

describe('frontline email parse', () => {
  it('prints one JSON line per file in input order; a bad file prints {file, error} and the rest continue', async () => {
    const missing = path.join(tmp, 'missing.eml');
    const empty = path.join(tmp, 'empty.eml');
    writeFileSync(empty, '');
    const good = path.join(localFixtures, 'outlook-reply-sv.eml');
    const html = path.join(localFixtures, 'html-only-gmail.eml');
    const { lines, exitCode } = await cli([good, missing, empty, html, '--json']);
    const parsed = lines.map((l) => JSON.parse(l) as ParseLine);
    expect(parsed.map((p) => p.file)).toEqual([good, missing, empty, html]);
    expect(parsed[0]).toMatchObject({
      from: 'anna.strom@example.se',
      subject: 'SV: [INC-000123] Skrivaren fungerar inte',
      inReplyTo: '<out-1@frontline.test>',
      isAutoReply: false,
      isBounce: false,
      attachments: [{ filename: 'skrivare.png', contentType: 'image/png', size: 70 }],
    });
    expect(parsed[1]?.error).toMatch(/ENOENT/);
    expect(parsed[2]?.error).toMatch(/empty/);
    expect(parsed[3]?.visibleText).toBe('Sigue sin funcionar desde casa.\nEl error es 809.');
    expect(exitCode).toBe(1);
  });

  it('prints a short human summary without --json', async () => {
    const { lines } = await cli([path.join(localFixtures, 'out-of-office-de.eml')]);
    expect(lines.join('\n')).toMatch(/from klaus@example\.de → support@frontline\.test[\s\S]*\[auto-reply\]/);
  });

  it.skipIf(!hasShared)('parses all 629 bounce fixtures in order within seconds', async () => {
    const files = emlFiles(bounceDir);
    const started = performance.now();
    const { lines } = await cli([...files, '--json']);
    const elapsed = performance.now() - started;
    const parsed = lines.map((l) => JSON.parse(l) as ParseLine);
    expect(parsed.map((p) => p.file)).toEqual(files);
    expect(parsed.every((p) => !p.error && (p.isBounce || p.isAutoReply))).toBe(true);
    expect(elapsed).toBeLessThan(20_000);
  }, 30_000);

  it('works as a process (stdout only carries data)', async () => {
    const script = `import { Command } from 'commander'; import { registerEmailCommands } from './channels/email/cli.ts';
const p = new Command(); registerEmailCommands(p); await p.parseAsync(process.argv);`;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, 'x', 'email', 'parse', '--json', path.join(localFixtures, 'html-only-apple.eml')],
      { cwd: path.resolve(localFixtures, '../../..') },
    );
    expect(JSON.parse(stdout.trim())).toMatchObject({ from: 'jean@example.fr', visibleText: 'Toujours bloqué ce matin.' });
  });
});
