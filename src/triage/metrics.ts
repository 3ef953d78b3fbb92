/** Classification metrics as scikit-learn defines them, so our numbers compare with published ones. */

export interface LabelMetrics {
  accuracy: number;
  /** Unweighted mean of per-class F1 over classes present in gold or predictions. */
  macro_f1: number;
  /** Per-class F1 weighted by gold support. */
  weighted_f1: number;
  /** Share of examples whose gold class is among the top 3 predictions. */
  top3: number;
  n: number;
}

export interface EvaluatedExample {
  gold: string;
  /** Predicted classes, best first (at least one). */
  ranked: readonly string[];
}

export function computeMetrics(examples: readonly EvaluatedExample[]): LabelMetrics {
  const n = examples.length;
  if (n === 0) return { accuracy: 0, macro_f1: 0, weighted_f1: 0, top3: 0, n: 0 };
  const tp = new Map<string, number>();
  const predicted = new Map<string, number>();
  const support = new Map<string, number>();
  const bump = (m: Map<string, number>, key: string): void => void m.set(key, (m.get(key) ?? 0) + 1);
  let correct = 0;
  let inTop3 = 0;
  for (const { gold, ranked } of examples) {
    const best = ranked[0] ?? '';
    bump(support, gold);
    bump(predicted, best);
    if (best === gold) {
      correct++;
      bump(tp, gold);
    }
    if (ranked.slice(0, 3).includes(gold)) inTop3++;
  }
  const classes = new Set([...support.keys(), ...predicted.keys()]);
  let macro = 0;
  let weighted = 0;
  for (const c of classes) {
    const t = tp.get(c) ?? 0;
    const denominator = (predicted.get(c) ?? 0) + (support.get(c) ?? 0);
    // F1 = 2·tp / (2·tp + fp + fn) = 2·tp / (predicted + support); 0 when the class never appears correctly.
    const f1 = denominator === 0 ? 0 : (2 * t) / denominator;
    macro += f1;
    weighted += f1 * (support.get(c) ?? 0);
  }
  return { accuracy: correct / n, macro_f1: macro / classes.size, weighted_f1: weighted / n, top3: inTop3 / n, n };
}

/** Accuracy of always answering the most frequent gold class: the floor any model must clear. */
export function majorityBaseline(gold: readonly string[]): number {
  if (gold.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const g of gold) counts.set(g, (counts.get(g) ?? 0) + 1);
  return Math.max(...counts.values()) / gold.length;
}
