// `npm run bench -- kb-relevance`: calibrates the KB relevance gate (src/kb/relevance.ts). Imports the starter KB
// into a temporary embedded database, runs the bench/kb query sets (an article answers each: positives) and
// test/fixtures/kb-negatives (no article answers them: negatives) through the memory ranker and the triage, fits
// a logistic model on the gate's features of the first hit (positive = the first hit is the expected article),
// and prints the fitted constants, a threshold sweep and what the shipped constants do on the same sets.
// Writes bench/results/kb-relevance.json. The dialog-quality figures on the reports come from `bench -- dialog`.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/database.js';
import { importKb } from '../../src/kb/import.js';
import { MemoryRanker } from '../../src/kb/rankers/memory.js';
import { featuresOf, RELEVANCE_MODEL, relevanceOf, type RelevanceFeatures } from '../../src/kb/relevance.js';
import { KB_LANGUAGES } from '../../src/kb/text.js';
import { loadTaxonomy } from '../../src/triage/taxonomy.js';
import { createTriage } from '../../src/triage/triage.js';

const root = path.resolve(import.meta.dirname, '../..');
const NAMES = ['normalisedScore', 'margin', 'sameCategory', 'coverage', 'rarest'] as const;

interface Sample { lang: string; id: string; positive: boolean; answerable: boolean; f: RelevanceFeatures }

export default async function run(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'frontline-kb-relevance-'));
  const db = await openDatabase({ DATABASE_POOL_SIZE: 4, FRONTLINE_DATA_DIR: dataDir, FRONTLINE_AUTO_MIGRATE: true });
  try {
    await importKb(db, path.join(root, 'kb'));
    const ranker = new MemoryRanker(db);
    const triage = createTriage({ taxonomy: loadTaxonomy() });
    const samples: Sample[] = [];
    for (const lang of KB_LANGUAGES) {
      const positives = (await jsonl(`bench/kb/queries.${lang}.jsonl`)).map((q) => ({ id: String(q.id), text: String(q.query), expected: (q.expected as string[])[0] ?? null }));
      const negatives = (await jsonl(`test/fixtures/kb-negatives/negatives.${lang}.jsonl`)).map((q) => ({ id: String(q.id), text: String(q.query), expected: null }));
      for (const q of [...positives, ...negatives]) {
        const hits = await ranker.search(q.text, { language: lang, top: 4 });
        if (!hits.length) continue;
        const f = featuresOf(hits, 0, triage(q.text).category);
        samples.push({ lang, id: q.id, answerable: q.expected !== null, positive: q.expected !== null && hits[0]!.id === q.expected, f });
      }
    }
    const fitted = fit(samples);
    console.log(`calibration: ${samples.filter((s) => s.answerable).length} answerable queries, ${samples.filter((s) => !s.answerable).length} negative queries`);
    console.log('fitted weights:', Object.fromEntries(NAMES.map((n, i) => [n, round(fitted.w[i]!)])), 'bias', round(fitted.b));
    const sweep = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7].map((threshold) => ({ threshold, ...rates(samples, (s) => fitted.p(s.f) >= threshold) }));
    console.log('threshold  right-first kept  negatives suppressed');
    for (const r of sweep) console.log(`${r.threshold.toFixed(1).padEnd(11)}${pct(r.keptRight).padEnd(18)}${pct(r.suppressedNegatives)}`);
    const shipped = rates(samples, (s) => relevanceOf(s.f) >= RELEVANCE_MODEL.threshold);
    console.log(`shipped model (threshold ${RELEVANCE_MODEL.threshold}): keeps ${pct(shipped.keptRight)} of right first answers, suppresses ${pct(shipped.suppressedNegatives)} of negatives`);
    const out = path.join(root, 'bench/results/kb-relevance.json');
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify({ date: new Date().toISOString(), samples: samples.length, fitted: { weights: Object.fromEntries(NAMES.map((n, i) => [n, round(fitted.w[i]!)])), bias: round(fitted.b) }, sweep, shipped: { threshold: RELEVANCE_MODEL.threshold, ...shipped } }, null, 2) + '\n');
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** L2-regularised logistic regression by gradient descent on standardised features; weights back in raw units. */
function fit(samples: Sample[]) {
  const X = samples.map((s) => NAMES.map((n) => s.f[n]));
  const y = samples.map((s) => (s.positive ? 1 : 0));
  const mu = NAMES.map((_, j) => X.reduce((a, x) => a + x[j]!, 0) / X.length);
  const sd = NAMES.map((_, j) => Math.sqrt(X.reduce((a, x) => a + (x[j]! - mu[j]!) ** 2, 0) / X.length) + 1e-9);
  const Z = X.map((x) => x.map((v, j) => (v - mu[j]!) / sd[j]!));
  const w = NAMES.map(() => 0);
  let b = 0;
  for (let it = 0; it < 5000; it++) {
    const gw = NAMES.map(() => 0);
    let gb = 0;
    Z.forEach((z, i) => {
      const p = 1 / (1 + Math.exp(-(b + z.reduce((a, v, j) => a + v * w[j]!, 0))));
      z.forEach((v, j) => (gw[j]! += ((p - y[i]!) * v) / Z.length));
      gb += (p - y[i]!) / Z.length;
    });
    w.forEach((_, j) => (w[j]! -= 0.5 * (gw[j]! + 0.01 * w[j]!)));
    b -= 0.5 * gb;
  }
  const raw = w.map((v, j) => v / sd[j]!);
  const bias = b - w.reduce((a, v, j) => a + (v * mu[j]!) / sd[j]!, 0);
  return { w: raw, b: bias, p: (f: RelevanceFeatures) => 1 / (1 + Math.exp(-(bias + NAMES.reduce((a, n, j) => a + raw[j]! * f[n], 0)))) };
}

function rates(samples: Sample[], shown: (s: Sample) => boolean) {
  const right = samples.filter((s) => s.positive);
  const negatives = samples.filter((s) => !s.answerable);
  return { keptRight: share(right.filter(shown).length, right.length), suppressedNegatives: share(negatives.filter((s) => !shown(s)).length, negatives.length) };
}

const share = (k: number, n: number) => (n ? Math.round((k / n) * 1000) / 1000 : 0);
const round = (x: number) => Math.round(x * 1000) / 1000;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

async function jsonl(file: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path.join(root, file), 'utf8')).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}
