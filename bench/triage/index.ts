/**
 * Triage classifier on the Endava helpdesk tickets: fixed seeded 80/20 split, each label column trained on
 * its own (per-label timing) and all together (what `frontline triage train` does), for both linear models.
 * Prints a table and writes bench/results/triage.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { trainClassifier, type TrainingExample } from '../../src/triage/classifier.js';
import { readDataset, rowText } from '../../src/triage/dataset.js';
import { evaluateClassifier } from '../../src/triage/evaluate.js';
import type { Algorithm } from '../../src/triage/linear.js';
import { majorityBaseline, type LabelMetrics } from '../../src/triage/metrics.js';
import { splitIndices } from '../../src/triage/random.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const DATASET = path.resolve(repoRoot, '../shared/datasets/endava-tickets/all_tickets_with_topic_group.csv');
const RESULTS = path.join(repoRoot, 'bench/results/triage.json');
const LABELS = ['category', 'urgency', 'impact', 'topic_group'];
const TEXT = ['title', 'body'];
const SEED = 42;
const ALGORITHMS: Algorithm[] = ['softmax', 'cnb'];

interface Row extends LabelMetrics {
  algorithm: Algorithm;
  label: string;
  classes: number;
  majority_baseline: number;
  train_seconds: number;
  predictions_per_second: number;
}

const seconds = (since: number): number => (performance.now() - since) / 1000;

export default async function run(_args: string[]): Promise<void> {
  if (!existsSync(DATASET)) {
    console.log(`triage: skipped — dataset not found at ${DATASET} (see GUIDE.md §3)`);
    return;
  }
  const dataset = readDataset(DATASET);
  const examples: TrainingExample[] = dataset.rows.map((row) => ({
    text: rowText(row, TEXT),
    labels: Object.fromEntries(LABELS.map((l) => [l, row[l] ?? ''])),
  }));
  const split = splitIndices(examples.length, 0.8, SEED);
  const train = split.train.map((i) => examples[i]!);
  const test = split.test.map((i) => examples[i]!);

  const rows: Row[] = [];
  const joint: Record<string, { train_seconds: number; metrics: Record<string, LabelMetrics> }> = {};
  for (const algorithm of ALGORITHMS) {
    for (const label of LABELS) {
      const started = performance.now();
      const classifier = trainClassifier(train, [label], { algorithm, seed: SEED });
      const trainSeconds = seconds(started);
      const { metrics, predictSeconds } = evaluateClassifier(classifier, test);
      const m = metrics[label]!;
      const gold = test.flatMap((e) => (e.labels[label] ? [e.labels[label]] : []));
      rows.push({
        algorithm,
        label,
        classes: classifier.labels[0]!.classes.length,
        majority_baseline: majorityBaseline(gold),
        ...m,
        train_seconds: trainSeconds,
        predictions_per_second: test.length / predictSeconds,
      });
    }
    const started = performance.now();
    const classifier = trainClassifier(train, LABELS, { algorithm, seed: SEED });
    const trainSeconds = seconds(started);
    joint[algorithm] = { train_seconds: trainSeconds, metrics: evaluateClassifier(classifier, test).metrics };
  }

  const header = ['algorithm', 'label', 'n', 'classes', 'baseline', 'accuracy', 'macro_f1', 'weighted_f1', 'top3', 'train_s', 'pred/s'];
  const table = rows.map((r) => [
    r.algorithm,
    r.label,
    String(r.n),
    String(r.classes),
    ...[r.majority_baseline, r.accuracy, r.macro_f1, r.weighted_f1, r.top3].map((v) => v.toFixed(3)),
    r.train_seconds.toFixed(2),
    Math.round(r.predictions_per_second).toString(),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`triage: Endava tickets, ${train.length} train / ${test.length} test (seed ${SEED}), text ${TEXT.join('+')}`);
  console.log([line(header), ...table.map(line)].join('\n'));
  for (const [algorithm, result] of Object.entries(joint)) {
    console.log(`${algorithm}: all ${LABELS.length} labels trained together in ${result.train_seconds.toFixed(2)} s`);
  }

  mkdirSync(path.dirname(RESULTS), { recursive: true });
  const result = {
    benchmark: 'triage',
    dataset: path.relative(repoRoot, DATASET),
    split: { seed: SEED, train: train.length, test: test.length },
    node: process.version,
    date: new Date().toISOString(),
    rows,
    joint,
  };
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
}
