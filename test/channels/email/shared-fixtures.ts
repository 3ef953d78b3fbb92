import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Locations of the shared (not committed) email fixtures; tests skip with this message when absent. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedEmail = path.resolve(repoRoot, '../shared/fixtures/email');
export const localFixtures = path.resolve(repoRoot, 'test/fixtures/email');
export const missingShared = `shared email fixtures not found at ${sharedEmail} — fixture-based email tests skipped`;

export const replySets = {
  crisp: path.join(sharedEmail, 'replies-crisp/test/fixtures'),
  github: path.join(sharedEmail, 'replies-github/test/emails'),
  multilang: path.join(sharedEmail, 'replies-multilang/test/emails'),
} as const;
export const bounceDir = path.join(sharedEmail, 'bounces-sisimai/maildir/bsd');
export const notBounceDir = path.join(sharedEmail, 'bounces-sisimai/maildir/not');
export const mimeDirs = [
  path.join(sharedEmail, 'mime-mailparser/test/fixtures'),
  path.join(sharedEmail, 'mime-postal-mime/test/fixtures'),
];

export const hasShared = existsSync(sharedEmail);

export function emlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile() && f.endsWith('.eml'))
    .sort();
}
