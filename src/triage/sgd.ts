/**
 * Multinomial logistic regression by plain SGD, for several label columns at once. The heads share one weight
 * row per feature (row-major, heads side by side), so each example reads its features' rows once for all
 * label columns (measured ~15–20 % less CPU than training them one after another). L2 decay is one global scale
 * factor, so a step only touches the example's features (weights are w = scale × stored).
 */
import type { SparseVector } from './features.js';
import { softmax, type Head, type LinearModel, type TrainOptions } from './linear.js';
import { seededShuffle } from './random.js';

/** All training vectors in one compressed-sparse-row block: monomorphic typed-array loops, no pointer chasing. */
function pack(xs: SparseVector[]): { offsets: Int32Array; indices: Int32Array; values: Float64Array } {
  const offsets = new Int32Array(xs.length + 1);
  xs.forEach((x, i) => (offsets[i + 1] = offsets[i]! + x.indices.length));
  const indices = new Int32Array(offsets[xs.length]!);
  const values = new Float64Array(offsets[xs.length]!);
  xs.forEach((x, i) => {
    indices.set(x.indices, offsets[i]);
    values.set(x.values, offsets[i]);
  });
  return { offsets, indices, values };
}

export function trainSoftmaxHeads(xs: SparseVector[], heads: Head[], featureCount: number, options: TrainOptions): LinearModel[] {
  const starts = heads.map((_, h) => heads.slice(0, h).reduce((sum, head) => sum + head.classes.length, 0));
  const k = heads.reduce((sum, head) => sum + head.classes.length, 0);
  const { offsets, indices, values } = pack(xs);
  // Float32 halves the memory traffic of the random row reads, the cost that dominates.
  const w = new Float32Array(featureCount * k);
  const bias = new Float64Array(k);
  const z = new Float64Array(k);
  const active = new Int32Array(k);
  const { learningRate: eta0, l2 } = options;
  let scale = 1;
  let t = 0;
  const unscale = (): void => {
    for (let i = 0; i < w.length; i++) w[i] = w[i]! * scale;
    scale = 1;
  };
  const positions = Array.from({ length: xs.length }, (_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const i of seededShuffle(positions, options.seed + epoch)) {
      const from = offsets[i]!;
      const to = offsets[i + 1]!;
      // The per-epoch decay quiets the last pass, which stands in for iterate averaging at no cost.
      const eta = eta0 / (1 + epoch) / (1 + eta0 * l2 * t++);
      z.fill(0);
      for (let j = from; j < to; j++) {
        const row = indices[j]! * k;
        const v = values[j]!;
        for (let c = 0; c < k; c++) z[c] = z[c]! + v * w[row + c]!;
      }
      for (let c = 0; c < k; c++) z[c] = z[c]! * scale + bias[c]!;
      scale *= 1 - eta * l2;
      if (scale < 1e-6) unscale();
      // Gradient (p - onehot) per head, kept only where it is noticeable: heads without a label for this
      // example, examples already fitted with near certainty and classes with p ≈ 0 move nothing.
      let activeCount = 0;
      heads.forEach((head, h) => {
        const y = head.ys[i]!;
        const start = starts[h]!;
        const p = z.subarray(start, start + head.classes.length);
        if (y < 0) {
          p.fill(0);
          return;
        }
        softmax(p);
        if (p[y]! > 0.999) {
          p.fill(0);
          return;
        }
        p[y] = p[y]! - 1;
        for (let c = 0; c < p.length; c++) if (Math.abs(p[c]!) > 1e-4) active[activeCount++] = start + c;
      });
      if (activeCount === 0) continue;
      const step = eta / scale;
      for (let j = from; j < to; j++) {
        const row = indices[j]! * k;
        const g = step * values[j]!;
        for (let a = 0; a < activeCount; a++) {
          const c = active[a]!;
          w[row + c] = w[row + c]! - g * z[c]!;
        }
      }
      for (let a = 0; a < activeCount; a++) bias[active[a]!] = bias[active[a]!]! - eta * z[active[a]!]!;
    }
    options.onEpoch?.(epoch + 1, options.epochs);
  }
  unscale();
  return heads.map((head, h) => {
    const kh = head.classes.length;
    const weights = new Float32Array(featureCount * kh);
    for (let f = 0; f < featureCount; f++) weights.set(w.subarray(f * k + starts[h]!, f * k + starts[h]! + kh), f * kh);
    return { classes: head.classes, featureCount, weights, bias: Float32Array.from(bias.subarray(starts[h], starts[h]! + kh)) };
  });
}
