/**
 * `npm run bench -- email-parse`: parse throughput on the shared MIME/bounce fixtures, and visible-reply accuracy
 * of our extractor next to email-reply-parser (crisp-oss) when that package is installed
 * (`npm i --no-save email-reply-parser@2.3.7`). Writes bench/results/email-parse.json.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseEmail } from '../../channels/email/parse.js';
import { extractVisibleText } from '../../channels/email/reply-text.js';
import { scoreSet } from '../../test/channels/email/reply-accuracy.js';
import { bounceDir, emlFiles, hasShared, mimeDirs, replySets, sharedEmail } from '../../test/channels/email/shared-fixtures.js';

type Extractor = (text: string) => string;

async function libraryExtractor(): Promise<Extractor | undefined> {
  try {
    const name = 'email-reply-parser';
    const mod = (await import(name)) as { default: new () => { read(t: string): { getVisibleText(): string } } };
    // Without the optional native re2 module the library's regexes take minutes on the 767 KB long-quote fixture.
    return (text) => (text.length > 100_000 ? '' : new mod.default().read(text).getVisibleText());
  } catch {
    return undefined;
  }
}

export default async function run(): Promise<void> {
  if (!hasShared) {
    console.log(`email-parse: shared fixtures missing at ${sharedEmail}; nothing to measure`);
    return;
  }
  const files = [...mimeDirs.flatMap(emlFiles), ...emlFiles(bounceDir)];
  const buffers = files.map((f) => readFileSync(f));
  const bytes = buffers.reduce((n, b) => n + b.length, 0);
  const started = performance.now();
  let errors = 0;
  for (const raw of buffers) await parseEmail(raw).catch(() => errors++);
  const seconds = (performance.now() - started) / 1000;
  const parse = { files: files.length, megabytes: +(bytes / 1e6).toFixed(2), seconds: +seconds.toFixed(2), mailsPerSecond: Math.round(files.length / seconds), errors };

  const library = await libraryExtractor();
  const extractors: [string, Extractor | undefined][] = [['frontline', (t) => extractVisibleText(t)], ['email-reply-parser', library]];
  const accuracy: Record<string, unknown>[] = [];
  for (const [set, dir] of Object.entries(replySets)) {
    for (const [name, extract] of extractors) {
      if (!extract) continue;
      const t0 = performance.now();
      const s = scoreSet(set, dir, extract);
      accuracy.push({ set, extractor: name, files: s.files, sentinelExact: `${s.sentinelExact}/${s.sentinelFiles}`, clean: `${s.clean}/${s.files}`, ms: Math.round(performance.now() - t0) });
    }
  }
  console.log('parseEmail throughput (sequential)');
  console.table([parse]);
  console.log(`visible-reply accuracy${library ? '' : ' (email-reply-parser not installed: frontline only)'}`);
  console.table(accuracy);
  const out = path.resolve(import.meta.dirname, '../results/email-parse.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), parse, accuracy }, null, 2)}\n`);
}
