import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Scores a visible-text extractor on the shared reply fixtures without per-file answers. The fixture sets carry
 * their expectation in two generic ways:
 *  - sentinel: many files of a set open with the same paragraph, which upstream asserts to be the whole visible
 *    text; that paragraph is found as the most common opening paragraph (no text is hard-coded here);
 *  - quotes: lines the file quotes with ">" belong to history, so a visible text must contain none of them and
 *    must not be empty while the file has unquoted content.
 */

export interface SetScore {
  set: string;
  files: number;
  sentinelFiles: number;
  sentinelExact: number;
  /** Files whose visible text leaks no quoted line and is non-empty. */
  clean: number;
  failures: string[];
}

const normalise = (s: string): string =>
  s.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim()).join('\n').replace(/\n{2,}/g, '\n\n').trim();

function openingParagraph(text: string): string {
  return normalise(text).split(/\n\n/)[0] ?? '';
}

export function fixtureFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => path.join(dir, f));
}

function sentinelOf(texts: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const t of texts) {
    const p = openingParagraph(t);
    if (p.length >= 80) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return best && best[1] >= 5 ? best[0] : undefined;
}

function quotedContents(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (!/^\s*>/.test(line)) continue;
    const content = line.replace(/^[\s>]+/, '').trim();
    if (content.length >= 15) out.add(content);
  }
  return out;
}

export function scoreSet(set: string, dir: string, extract: (text: string) => string): SetScore {
  const files = fixtureFiles(dir);
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const sentinel = sentinelOf(texts);
  const score: SetScore = { set, files: files.length, sentinelFiles: 0, sentinelExact: 0, clean: 0, failures: [] };
  texts.forEach((text, i) => {
    const name = path.basename(files[i] ?? '');
    const visible = extract(text);
    if (sentinel && openingParagraph(text) === sentinel) {
      score.sentinelFiles++;
      if (normalise(visible) === sentinel) score.sentinelExact++;
      else score.failures.push(`${name}: sentinel mismatch`);
    }
    const quoted = quotedContents(text);
    const visibleLines = visible.split('\n').map((l) => l.trim());
    const leaks = visibleLines.some((l) => /^>/.test(l) || quoted.has(l));
    const hasOwnContent = text.split(/\r?\n/).some((l) => l.trim() !== '' && !/^\s*>/.test(l));
    if (!leaks && (visible.trim() !== '' || !hasOwnContent)) score.clean++;
    else score.failures.push(`${name}: ${leaks ? 'leaks quoted text' : 'empty'}`);
  });
  return score;
}
