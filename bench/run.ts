// `npm run bench -- <name> [args]` runs bench/<name>/index.ts; with no name, every benchmark in turn.
import { readdir } from 'node:fs/promises';
import path from 'node:path';

const dir = import.meta.dirname;
const [name, ...args] = process.argv.slice(2);
const all = (await readdir(dir, { withFileTypes: true }))
  .filter((e) => e.isDirectory() && e.name !== 'results' && e.name !== 'lib')
  .map((e) => e.name)
  .sort();
const selected = name ? [name] : all;
for (const bench of selected) {
  if (!all.includes(bench)) {
    console.error(`unknown benchmark "${bench}"; available: ${all.join(', ')}`);
    process.exit(2);
  }
  const mod = (await import(path.join(dir, bench, 'index.ts'))) as { default: (args: string[]) => Promise<void> };
  await mod.default(args);
}
