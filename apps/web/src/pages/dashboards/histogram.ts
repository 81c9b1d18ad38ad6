/** Bins for a histogram of a class's values, and which bin holds the value marked (pure, for the analytics page). */
export interface Bin {
  from: number;
  to: number;
  count: number;
  /** The marked value falls in this bin. */
  marked: boolean;
}

/**
 * `binCount` equal bins from the smallest to the largest value (the last bin holds its upper edge);
 * one bin when every value is the same; none without values. Nulls (no such measure) are left out.
 */
export function binsOf(values: readonly (number | null)[], marked: number | null, binCount = 6): Bin[] {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length === 0) return [];
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  if (min === max) return [{ from: min, to: max, count: xs.length, marked: marked === min }];
  const width = (max - min) / binCount;
  const indexOf = (v: number) => Math.min(binCount - 1, Math.floor((v - min) / width));
  const bins: Bin[] = Array.from({ length: binCount }, (_, i) => ({ from: min + i * width, to: min + (i + 1) * width, count: 0, marked: false }));
  for (const v of xs) bins[indexOf(v)]!.count++;
  if (marked !== null && marked >= min && marked <= max) bins[indexOf(marked)]!.marked = true;
  return bins;
}
