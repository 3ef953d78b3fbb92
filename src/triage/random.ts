/** Seeded randomness, so the same data always trains the same model and the benchmark split never moves. */

/** mulberry32: tiny, fast, good enough for shuffling. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates on a copy. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Deterministic train/test split: shuffles indices with `seed` and puts the first `trainFraction` in train. */
export function splitIndices(count: number, trainFraction: number, seed: number): { train: number[]; test: number[] } {
  const order = seededShuffle(
    Array.from({ length: count }, (_, i) => i),
    seed,
  );
  const cut = Math.round(count * trainFraction);
  return { train: order.slice(0, cut), test: order.slice(cut) };
}
