/**
 * `frontline triage train|predict|eval`: learn categories/groups from the organisation's ticket history and
 * check how well it works. Data goes to stdout, progress to stderr.
 */
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { FrontlineError } from '../../errors.js';
import { loadClassifier, trainClassifier, type TrainProgress, type TrainingExample } from '../../triage/classifier.js';
import { readDataset, requireColumns, rowText, type Dataset } from '../../triage/dataset.js';
import { evaluateClassifier } from '../../triage/evaluate.js';
import type { LabelMetrics } from '../../triage/metrics.js';

const list = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
const collect = (value: string, previous: string[] = []): string[] => [...previous, ...list(value)];
const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new FrontlineError('BAD_REQUEST', `expected a positive integer, got "${value}"`);
  return n;
};

function toExamples(dataset: Dataset, textColumns: string[], labelColumns: string[]): TrainingExample[] {
  return dataset.rows.map((row) => ({
    text: rowText(row, textColumns),
    labels: Object.fromEntries(labelColumns.map((c) => [c, (row[c] ?? '').trim()])),
  }));
}

/** One bar over the whole run: feature extraction is about a third of the time, training the rest. */
function progressBar(): { update: (p: TrainProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'training {stage} [{bar}] {percentage}% | {duration_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const featureShare = 0.35;
  bar.start(1000, 0, { stage: 'features' });
  return {
    update(p) {
      const fraction = p.done / Math.max(1, p.total);
      const value = p.phase === 'features' ? fraction * featureShare : featureShare + fraction * (1 - featureShare);
      bar.update(Math.round(value * 1000), { stage: p.phase === 'features' ? 'features' : p.label });
    },
    stop: () => bar.stop(),
  };
}

function formatTable(metrics: Record<string, LabelMetrics>): string {
  const header = ['label', 'n', 'accuracy', 'macro_f1', 'weighted_f1', 'top3'];
  const rows = Object.entries(metrics).map(([column, m]) => [
    column,
    String(m.n),
    ...[m.accuracy, m.macro_f1, m.weighted_f1, m.top3].map((v) => v.toFixed(3)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function registerTriageCommands(program: Command): void {
  const triage = program.command('triage').description('learn ticket categories and groups from past tickets');

  triage
    .command('train')
    .description('train a classifier from a CSV or JSONL file of past tickets')
    .requiredOption('--input <file>', 'tickets as .csv or .jsonl')
    .requiredOption('--text <columns>', 'comma-separated text columns, e.g. "title,body"', list)
    .option('--label <column>', 'label column to learn (repeatable, or comma-separated)', collect)
    .requiredOption('--out <dir>', 'model directory to write')
    .addOption(new Option('--algorithm <name>', 'linear model').choices(['softmax', 'cnb']).default('softmax'))
    .option('--epochs <n>', 'SGD passes over the data (softmax)', positiveInt)
    .option('--seed <n>', 'shuffle seed', positiveInt)
    .action((opts: { input: string; text: string[]; label?: string[]; out: string; algorithm: 'softmax' | 'cnb'; epochs?: number; seed?: number }) => {
      const labels = opts.label ?? [];
      if (labels.length === 0) throw new FrontlineError('BAD_REQUEST', 'at least one --label <column> is required');
      const dataset = readDataset(opts.input);
      requireColumns(dataset, [...opts.text, ...labels], opts.input);
      const started = performance.now();
      const bar = progressBar();
      try {
        const classifier = trainClassifier(toExamples(dataset, opts.text, labels), labels, {
          textColumns: opts.text,
          algorithm: opts.algorithm,
          epochs: opts.epochs,
          seed: opts.seed,
          onProgress: bar.update,
        });
        classifier.save(opts.out);
      } finally {
        bar.stop();
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      process.stderr.write(`trained ${labels.join(', ')} on ${dataset.rows.length} rows in ${seconds} s → ${opts.out}\n`);
    });

  triage
    .command('predict')
    .description('predict labels for each row; writes JSON Lines to stdout in input order')
    .requiredOption('--model <dir>', 'model directory')
    .requiredOption('--input <file>', 'tickets as .csv or .jsonl')
    .option('--text <columns>', 'text columns (default: those used in training)', list)
    .option('--top <n>', 'classes per label', positiveInt, 3)
    .action((opts: { model: string; input: string; text?: string[]; top: number }) => {
      const classifier = loadClassifier(opts.model);
      const textColumns = opts.text ?? [...classifier.textColumns];
      const dataset = readDataset(opts.input);
      requireColumns(dataset, textColumns, opts.input);
      // `… | head` closes the pipe early; that is the reader's choice, not an error.
      process.stdout.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
        throw err;
      });
      // Buffered in chunks: one write per row is the slowest part on large files.
      let chunk = '';
      for (const row of dataset.rows) {
        chunk += `${JSON.stringify(classifier.predict(rowText(row, textColumns), opts.top))}\n`;
        if (chunk.length > 64_000) {
          process.stdout.write(chunk);
          chunk = '';
        }
      }
      process.stdout.write(chunk);
    });

  triage
    .command('eval')
    .description('accuracy, macro/weighted F1 and top-3 per label on a labelled file')
    .requiredOption('--model <dir>', 'model directory')
    .requiredOption('--input <file>', 'labelled tickets as .csv or .jsonl')
    .option('--text <columns>', 'text columns (default: those used in training)', list)
    .option('--json', 'print metrics as JSON')
    .action((opts: { model: string; input: string; text?: string[]; json?: boolean }) => {
      const classifier = loadClassifier(opts.model);
      const textColumns = opts.text ?? [...classifier.textColumns];
      const dataset = readDataset(opts.input);
      const labelColumns = classifier.labels.map((l) => l.column).filter((c) => dataset.columns.includes(c));
      requireColumns(dataset, textColumns, opts.input);
      if (labelColumns.length === 0 && dataset.rows.length > 0) {
        throw new FrontlineError('BAD_REQUEST', `${opts.input} has none of the model's label columns (${classifier.labels.map((l) => l.column).join(', ')})`);
      }
      const { metrics } = evaluateClassifier(classifier, toExamples(dataset, textColumns, labelColumns));
      const shown = Object.fromEntries(Object.entries(metrics).filter(([column]) => labelColumns.includes(column)));
      process.stdout.write(opts.json ? `${JSON.stringify(shown)}\n` : `${formatTable(shown)}\n`);
    });
}
