#!/usr/bin/env node
// Runs the compiled server and CLI (dist/, built by scripts/build.mjs at `npm install`). Should a source be newer
// than that build (an edited checkout), it is compiled first, so stale code never runs.
import { isStale } from '../scripts/build-freshness.mjs';

const root = new URL('..', import.meta.url).pathname;
if (await isStale(root)) {
  process.stderr.write('frontline: sources changed since the last build; compiling…\n');
  const { build } = await import('../scripts/build.mjs');
  await build({ quiet: true });
}
// Stack traces name the TypeScript lines (dist/*.js.map).
process.setSourceMapsEnabled(true);
await import('../dist/cli.js');
