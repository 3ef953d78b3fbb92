/**
 * `frontline email parse <file.eml>...`: parse mails offline and print what the intake would see. One JSON line
 * per file with --json (in input order, a failing file prints `{file, error}` and the rest continue), else a
 * short summary. Data goes to stdout, progress to stderr.
 */
import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { parseEmail } from './parse.js';
import type { ParsedEmail } from './types.js';

export interface ParseLine {
  file: string;
  from?: string;
  to?: string[];
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string | null;
  references?: string[];
  visibleText?: string;
  isAutoReply?: boolean;
  isBounce?: boolean;
  attachments?: { filename: string; contentType: string; size: number }[];
  error?: string;
}

export function toParseLine(file: string, mail: ParsedEmail): ParseLine {
  return {
    file,
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    messageId: mail.messageId ?? null,
    inReplyTo: mail.inReplyTo ?? null,
    references: mail.references,
    visibleText: mail.visibleText,
    isAutoReply: mail.isAutoReply,
    isBounce: mail.isBounce,
    attachments: mail.attachments.map(({ filename, contentType, size }) => ({ filename, contentType, size })),
  };
}

async function parseFile(file: string): Promise<ParseLine> {
  try {
    return toParseLine(file, await parseEmail(await readFile(file)));
  } catch (error) {
    return { file, error: (error as Error)?.message ?? String(error) };
  }
}

/**
 * Parses files with at most `concurrency` in flight and hands results to `emit` strictly in input order
 * (a finished later file waits for the earlier ones), so output order never depends on timing.
 */
export async function parseFilesInOrder(
  files: string[],
  concurrency: number,
  emit: (line: ParseLine, index: number) => void,
): Promise<void> {
  const results = new Map<number, ParseLine>();
  let nextToEmit = 0;
  let nextToStart = 0;
  const flush = (): void => {
    while (results.has(nextToEmit)) {
      emit(results.get(nextToEmit)!, nextToEmit);
      results.delete(nextToEmit++);
    }
  };
  const worker = async (): Promise<void> => {
    while (nextToStart < files.length) {
      const index = nextToStart++;
      results.set(index, await parseFile(files[index]!));
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, worker));
  flush();
}

function summary(line: ParseLine): string {
  if (line.error) return `${line.file}\n  ERROR ${line.error}`;
  const flags = [line.isAutoReply && 'auto-reply', line.isBounce && 'bounce'].filter(Boolean).join(', ');
  const text = (line.visibleText ?? '').replace(/\s+/g, ' ').slice(0, 100);
  return [
    line.file,
    `  from ${line.from || '?'} → ${(line.to ?? []).join(', ') || '?'}`,
    `  subject ${line.subject || '(none)'}${flags ? `  [${flags}]` : ''}`,
    `  text ${text || '(empty)'}`,
    ...(line.attachments?.length ? [`  attachments ${line.attachments.map((a) => `${a.filename} (${a.size} B)`).join(', ')}`] : []),
  ].join('\n');
}

export function registerEmailCommands(program: Command): void {
  const email = program.command('email').description('email channel tools');
  email
    .command('parse')
    .description('parse .eml files as the email intake would (visible text, loops, threading headers)')
    .argument('<files...>', '.eml files')
    .option('--json', 'one JSON object per line, in input order')
    .option('--concurrency <n>', 'files parsed at once', (v) => Math.max(1, Number.parseInt(v, 10) || 1), 8)
    .action(async (files: string[], options: { json?: boolean; concurrency: number }) => {
      const showProgress = process.stderr.isTTY && files.length > 20;
      const bar = showProgress
        ? new cliProgress.SingleBar({ stream: process.stderr, format: 'parsing [{bar}] {value}/{total}' }, cliProgress.Presets.shades_classic)
        : undefined;
      bar?.start(files.length, 0);
      let failed = 0;
      await parseFilesInOrder(files, options.concurrency, (line) => {
        if (line.error) failed++;
        process.stdout.write(options.json ? `${JSON.stringify(line)}\n` : `${summary(line)}\n`);
        bar?.increment();
      });
      bar?.stop();
      if (failed > 0) {
        process.stderr.write(`${failed} of ${files.length} files could not be parsed\n`);
        process.exitCode = 1;
      }
    });
}
