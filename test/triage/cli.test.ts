import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerTriageCommands } from '../../src/cli/commands/triage.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/triage');
const work = mkdtempSync(path.join(tmpdir(), 'frontline-triage-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `frontline <args>` in-process and returns what it wrote to stdout. */
async function frontline(...args: string[]): Promise<string> {
  const program = new Command('frontline').exitOverride();
  registerTriageCommands(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'frontline', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe('frontline triage train → predict → eval', () => {
  const model = path.join(work, 'model');
  const train = path.join(fixtures, 'multilingual-train.csv');
  const test = path.join(fixtures, 'multilingual-test.jsonl');

  it('trains on a multilingual CSV and predicts held-out JSONL rows in input order', async () => {
    await frontline('triage', 'train', '--input', train, '--text', 'title,body', '--label', 'category', '--label', 'group', '--out', model);
    // The test file has only `body`; predict from that column.
    const out = await frontline('triage', 'predict', '--model', model, '--input', test, '--text', 'body', '--top', '2');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, { label: string; score: number }[]>);
    const expected = (await import('node:fs')).readFileSync(test, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { category: string });
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => {
      expect(line.category).toHaveLength(2);
      expect(line.category![0]!.label).toBe(expected[i]!.category);
      expect(line.category![0]!.score).toBeGreaterThan(line.category![1]!.score);
    });
  });

  it('eval --json reports per-label metrics for the held-out file', async () => {
    const out = await frontline('triage', 'eval', '--model', model, '--input', test, '--text', 'body', '--json');
    const metrics = JSON.parse(out) as Record<string, { accuracy: number; macro_f1: number; weighted_f1: number; top3: number; n: number }>;
    expect(Object.keys(metrics).sort()).toEqual(['category', 'group']);
    expect(metrics.category!.n).toBe(48);
    expect(metrics.category!.accuracy).toBe(1);
    expect(metrics.group!.weighted_f1).toBe(1);
    expect(metrics.group!.top3).toBe(1);
  });

  it('eval without --json prints a readable table', async () => {
    const out = await frontline('triage', 'eval', '--model', model, '--input', test, '--text', 'body');
    expect(out.split('\n')[0]).toMatch(/^label\s+n\s+accuracy\s+macro_f1\s+weighted_f1\s+top3$/);
    expect(out).toMatch(/^category\s+48\s+1\.000/m);
  });

  it('skips rows with an empty label and refuses unknown columns', async () => {
    const quoted = path.join(fixtures, 'quoted.csv');
    const small = path.join(work, 'small');
    await frontline('triage', 'train', '--input', quoted, '--text', 'title,body', '--label', 'category', '--out', small);
    const out = await frontline('triage', 'eval', '--model', small, '--input', quoted, '--json');
    expect((JSON.parse(out) as Record<string, { n: number }>).category!.n).toBe(2);
    await expect(frontline('triage', 'train', '--input', quoted, '--text', 'subject', '--label', 'category', '--out', small)).rejects.toThrow(/missing column\(s\) subject/);
  });
});
