/**
 * Linear text classifiers over sparse vectors. Both trainers (sgd.ts, cnb.ts) produce the same shape — one
 * weight per (feature, class) plus a bias — and predict with a softmax, so the stored model and the prediction
 * path do not depend on how it was trained.
 */
import type { SparseVector } from './features.js';

export type Algorithm = 'softmax' | 'cnb';

export interface LinearModel {
  classes: string[];
  featureCount: number;
  /** Row-major by feature: weights[feature * classes.length + class]. Sparse inputs then read one short row. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface TrainOptions {
  algorithm: Algorithm;
  /** Softmax: passes over the data. */
  epochs: number;
  /** Softmax: initial step; divided by (1 + epoch) and by (1 + η₀λt) (Bottou, "SGD tricks"). */
  learningRate: number;
  /** Softmax: L2 penalty per example. */
  l2: number;
  /** CNB: additive smoothing. */
  alpha: number;
  seed: number;
  onEpoch?: (done: number, total: number) => void;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  algorithm: 'softmax',
  epochs: 4,
  learningRate: 2,
  l2: 1e-6,
  alpha: 0.3,
  seed: 42,
};

/** Class scores (logits) for one vector. */
export function logits(model: LinearModel, x: SparseVector, out = new Float64Array(model.classes.length)): Float64Array {
  const k = model.classes.length;
  for (let c = 0; c < k; c++) out[c] = model.bias[c]!;
  for (let i = 0; i < x.indices.length; i++) {
    const row = x.indices[i]! * k;
    const v = x.values[i]!;
    for (let c = 0; c < k; c++) out[c] = out[c]! + v * model.weights[row + c]!;
  }
  return out;
}

/** In-place softmax, numerically stable. */
export function softmax(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    scores[c] = Math.exp(scores[c]! - max);
    sum += scores[c]!;
  }
  for (let c = 0; c < scores.length; c++) scores[c] = scores[c]! / sum;
  return scores;
}

export function predictProba(model: LinearModel, x: SparseVector): Float64Array {
  return softmax(logits(model, x));
}

/** One label column to learn: class index per example, -1 where the example has no label for it. */
export interface Head {
  ys: Int32Array;
  classes: string[];
}
