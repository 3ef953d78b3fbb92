// Heap and RSS each module group adds when imported, in this order, into one fresh process (run with
// --expose-gc). Prints one JSON line: [{group, heap_mb, rss_mb}]. The groups are what Frontline loads: the
// runtime it always needs, then each optional channel's SDK (loaded only when that channel is enabled).
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const root = process.argv[2];
const GROUPS = [
  ['express + pg', ['express', 'pg']],
  ['prisma client + adapter', ['@prisma/client/runtime/client', '@prisma/adapter-pg']],
  ['pglite + socket', ['@electric-sql/pglite', '@electric-sql/pglite-socket']],
  ['pg-boss', ['pg-boss']],
  ['zod, pino, prom-client, yaml, luxon', ['zod', 'pino', 'prom-client', 'yaml', 'luxon']],
  ['language + KB (eld, minisearch, stemmers)', ['eld/small', 'minisearch', '@orama/stemmers/english']],
  ['frontline bundle (dist/cli.js)', [pathToFileURL(path.join(root, 'dist/cli.js')).href]],
  ['slack: @slack/bolt', ['@slack/bolt']],
  ['email: imapflow, mailparser, nodemailer', ['imapflow', 'mailparser', 'nodemailer']],
  ['teams: @microsoft/agents-hosting', ['@microsoft/agents-hosting', '@microsoft/agents-activity']],
];
const settle = () => {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
};
// dist/cli.js runs the CLI when imported: give it a harmless command, and keep its exit from ending us.
process.argv = [process.argv[0], 'frontline', '--version'];
const realExit = process.exit.bind(process);
process.exit = () => undefined;
const realWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true; // the CLI's own output would corrupt the JSON line
const out = [];
settle();
let before = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
for (const [group, modules] of GROUPS) {
  for (const m of modules) await import(m);
  await sleep(50);
  settle();
  const now = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
  out.push({ group, heap_mb: Math.round((now.heap - before.heap) / 1e5) / 10, rss_mb: Math.round((now.rss - before.rss) / 1e5) / 10 });
  before = now;
}
realWrite(`${JSON.stringify(out)}\n`);
realExit(0);
