import type { SparseVector } from './features.js';
import { logits, softmax, type Head, type LinearModel, type TrainOptions } from './linear.js';

/**
 * Complement naive Bayes (Rennie et al. 2003) as scikit-learn computes it, then a temperature fitted on the
 * training set turns its scores into probabilities (raw CNB scores are far too flat for a softmax).
 */
export function trainComplementNaiveBayes(
  allXs: SparseVector[],
  head: Head,
  featureCount: number,
  options: TrainOptions,
): LinearModel {
  const { classes } = head;
  const rows = [...head.ys.keys()].filter((i) => head.ys[i]! >= 0);
  const xs = rows.map((i) => allXs[i]!);
  const ys = Int32Array.from(rows, (i) => head.ys[i]!);
  const k = classes.length;
  const perClass = new Float64Array(featureCount * k);
  const total = new Float64Array(featureCount);
  xs.forEach((x, i) => {
    for (let j = 0; j < x.indices.length; j++) {
      const cell = x.indices[j]! * k + ys[i]!;
      perClass[cell] = perClass[cell]! + x.values[j]!;
      total[x.indices[j]!] = total[x.indices[j]!]! + x.values[j]!;
    }
  });
  const weights = new Float32Array(featureCount * k);
  for (let c = 0; c < k; c++) {
    let sum = 0;
    for (let f = 0; f < featureCount; f++) sum += total[f]! - perClass[f * k + c]! + options.alpha;
    const logSum = Math.log(sum);
    for (let f = 0; f < featureCount; f++) {
      weights[f * k + c] = -(Math.log(total[f]! - perClass[f * k + c]! + options.alpha) - logSum);
    }
  }
  const model = { classes, featureCount, weights, bias: new Float32Array(k) };
  const temperature = fitTemperature(model, xs, ys);
  for (let i = 0; i < weights.length; i++) weights[i] = weights[i]! * temperature;
  options.onEpoch?.(1, 1);
  return model;
}

/** Scale factor for the logits that maximises training log-likelihood, by a coarse log-spaced search. */
function fitTemperature(model: LinearModel, xs: SparseVector[], ys: Int32Array): number {
  const raw = xs.map((x) => logits(model, x));
  let best = 1;
  let bestLoss = Infinity;
  for (let e = -1; e <= 4; e += 0.125) {
    const t = 10 ** e;
    let loss = 0;
    raw.forEach((scores, i) => {
      const p = softmax(scores.map((s) => s * t));
      loss -= Math.log(Math.max(p[ys[i]!]!, 1e-12));
    });
    if (loss < bestLoss) [best, bestLoss] = [t, loss];
  }
  return best;
}
