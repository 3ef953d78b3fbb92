/** Scores a classifier against labelled examples, one metrics block per label column it predicts. */
import type { Classifier, TrainingExample } from './classifier.js';
import { computeMetrics, type EvaluatedExample, type LabelMetrics } from './metrics.js';

export interface Evaluation {
  metrics: Record<string, LabelMetrics>;
  /** Wall time spent predicting, to report throughput. */
  predictSeconds: number;
}

export function evaluateClassifier(classifier: Classifier, examples: readonly TrainingExample[]): Evaluation {
  const perLabel = new Map<string, EvaluatedExample[]>(classifier.labels.map((l) => [l.column, []]));
  const started = performance.now();
  for (const example of examples) {
    const prediction = classifier.predict(example.text, 3);
    for (const [column, scored] of Object.entries(prediction)) {
      const gold = example.labels[column];
      // Rows without a gold label for this column say nothing about it.
      if (!gold) continue;
      perLabel.get(column)?.push({ gold, ranked: scored.map((s) => s.label) });
    }
  }
  const predictSeconds = (performance.now() - started) / 1000;
  const metrics: Record<string, LabelMetrics> = {};
  for (const [column, evaluated] of perLabel) metrics[column] = computeMetrics(evaluated);
  return { metrics, predictSeconds };
}
