// `npm run bench -- cluster [--seeds 13,7,2026] [--verbose]`: runs the labelled outage streams
// (test/fixtures/major/outage-stream.ts: 300 near-identical VPN-outage reports in four languages, a concurrent
// 40-report e-mail outage and 160 unrelated reports) through the clustering decisions the intake makes
// (src/major/cluster.ts, default thresholds and windows) and prints the pairwise precision and recall of the
// linking (targets: ≥ 0.95 / ≥ 0.9) and the decision rate. Writes bench/results/cluster.json.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clusterStream } from '../../src/major/cluster-eval.js';
import { DEFAULT_THRESHOLD, DEFAULT_WINDOW_MINUTES } from '../../src/major/settings.js';
import { loadServiceCatalog } from '../../src/services/catalog.js';
import { outageStream } from '../../test/fixtures/major/outage-stream.js';

export default async function run(args: string[]): Promise<void> {
  const seedsArg = args[args.indexOf('--seeds') + 1];
  const seeds = args.includes('--seeds') && seedsArg ? seedsArg.split(',').map(Number) : [13, 7, 2026];
  const verbose = args.includes('--verbose');
  const catalog = loadServiceCatalog();
  const options = {
    catalog,
    thresholdFor: (id: string) => DEFAULT_THRESHOLD[catalog.find(id)!.criticality],
    windowMsFor: (id: string) => DEFAULT_WINDOW_MINUTES[catalog.find(id)!.criticality] * 60_000,
  };
  const rows = [];
  console.log('clustering: seed  reports  precision  recall  missed  wrongly-linked  decisions/s');
  for (const seed of seeds) {
    const stream = outageStream(seed);
    const started = performance.now();
    const result = clusterStream(stream, options);
    const seconds = (performance.now() - started) / 1000;
    const missed = stream.filter((r) => r.truth && !result.groups.get(r.id));
    const wrong = stream.filter((r) => !r.truth && result.groups.get(r.id));
    const row = { seed, reports: stream.length, precision: result.precision, recall: result.recall, missed: missed.length, wronglyLinked: wrong.length, decisionsPerSecond: Math.round(stream.length / seconds) };
    rows.push(row);
    console.log(`            ${String(seed).padEnd(5)} ${String(row.reports).padEnd(8)} ${row.precision.toFixed(3).padEnd(10)} ${row.recall.toFixed(3).padEnd(7)} ${String(row.missed).padEnd(7)} ${String(row.wronglyLinked).padEnd(15)} ${row.decisionsPerSecond}`);
    if (verbose) for (const r of [...missed, ...wrong]) console.log(`    ${r.truth ? 'missed' : 'wrong '} ${JSON.stringify(r.text)} — ${result.reasons.get(r.id)}`);
  }
  console.log('targets: precision ≥ 0.95, recall ≥ 0.9');
  const out = path.resolve(import.meta.dirname, '../results/cluster.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), thresholds: DEFAULT_THRESHOLD, windowMinutes: DEFAULT_WINDOW_MINUTES, runs: rows }, null, 2)}\n`);
}
