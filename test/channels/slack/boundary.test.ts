import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const SDK = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]@slack\/(?:bolt|web-api|socket-mode|oauth|types)(?:\/[^'"]*)?['"]/;

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'generated' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* sourceFiles(full);
    else if (/\.(?:[cm]?[jt]s)$/.test(name)) yield full;
  }
}

describe('Slack SDK boundary', () => {
  it('imports @slack/* only under channels/slack/', () => {
    const offenders: string[] = [];
    let slackFilesUsingSdk = 0;
    for (const root of ['src', 'channels', 'dialogs']) {
      for (const file of sourceFiles(path.join(repoRoot, root))) {
        if (!SDK.test(readFileSync(file, 'utf8'))) continue;
        const rel = path.relative(repoRoot, file).split(path.sep).join('/');
        if (rel.startsWith('channels/slack/')) slackFilesUsingSdk += 1;
        else offenders.push(rel);
      }
    }
    expect(offenders).toEqual([]);
    expect(slackFilesUsingSdk).toBeGreaterThan(0); // the scan does see the SDK where it belongs
  });
});
