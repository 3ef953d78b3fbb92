import { describe, expect, it } from 'vitest';
import { computeMetrics, majorityBaseline } from '../../src/triage/metrics.js';

describe('computeMetrics', () => {
  // Worked by hand:
  //   class a: support 3, predicted 2, tp 2 → F1 = 2·2/(2+3) = 0.8
  //   class b: support 2, predicted 2, tp 1 → F1 = 2·1/(2+2) = 0.5
  //   class c: support 1, predicted 2, tp 1 → F1 = 2·1/(2+1) = 2/3
  //   macro = (0.8 + 0.5 + 2/3)/3 = 0.655…; weighted = (0.8·3 + 0.5·2 + 2/3·1)/6 = 0.677…
  const examples = [
    { gold: 'a', ranked: ['a', 'b', 'c'] },
    { gold: 'a', ranked: ['a', 'c'] },
    { gold: 'a', ranked: ['b', 'c', 'd'] }, // gold not in top 3
    { gold: 'b', ranked: ['b'] },
    { gold: 'b', ranked: ['c', 'b'] },
    { gold: 'c', ranked: ['c', 'a', 'b'] },
  ];

  it('matches the hand-computed accuracy, F1s and top-3', () => {
    const m = computeMetrics(examples);
    expect(m.n).toBe(6);
    expect(m.accuracy).toBeCloseTo(4 / 6, 10);
    expect(m.macro_f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 10);
    expect(m.weighted_f1).toBeCloseTo((0.8 * 3 + 0.5 * 2 + 2 / 3) / 6, 10);
    expect(m.top3).toBeCloseTo(5 / 6, 10);
  });

  it('counts a class only ever predicted (never gold) in macro-F1 with F1 0, as scikit-learn does', () => {
    const m = computeMetrics([
      { gold: 'a', ranked: ['a'] },
      { gold: 'a', ranked: ['z'] },
    ]);
    // a: tp 1, predicted 1, support 2 → 2/3; z: 0 → macro 1/3; weighted counts only gold support → 2/3.
    expect(m.macro_f1).toBeCloseTo(1 / 3, 10);
    expect(m.weighted_f1).toBeCloseTo(2 / 3, 10);
  });

  it('returns zeros for no examples instead of NaN', () => {
    expect(computeMetrics([])).toEqual({ accuracy: 0, macro_f1: 0, weighted_f1: 0, top3: 0, n: 0 });
  });

  it('majority baseline is the share of the most frequent class', () => {
    expect(majorityBaseline(['x', 'y', 'x', 'x'])).toBe(0.75);
    expect(majorityBaseline([])).toBe(0);
  });
});
