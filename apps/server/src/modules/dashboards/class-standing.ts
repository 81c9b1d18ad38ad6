/**
 * Where one attempt stands against its class, pure: a distribution of a metric over the class's
 * attempts (nulls, i.e. attempts without that measure, left out) and each value's percentile rank.
 */
export interface ClassDistribution {
  count: number;
  min: number | null;
  q1: number | null;
  median: number | null;
  q3: number | null;
  max: number | null;
  mean: number | null;
}

export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

/**
 * A class histogram's bins from the extremes and the values per bin index (the database counts them:
 * exam-analytics.repository.ts): `binCount` equal bins from min to max, the last holding its upper
 * edge; one bin when every value is the same; none without values.
 */
export function histogramBins(min: number | null, max: number | null, counts: Readonly<Record<string, number>>, binCount: number): HistogramBin[] {
  if (min === null || max === null) return [];
  if (min === max) return [{ from: min, to: max, count: counts['0'] ?? 0 }];
  const width = (max - min) / binCount;
  return Array.from({ length: binCount }, (_, i) => ({ from: min + i * width, to: min + (i + 1) * width, count: counts[String(i)] ?? 0 }));
}

/** Quantile by linear interpolation between closest ranks (the usual "type 7"); `sorted` ascending, non-empty. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function distributionOf(values: readonly (number | null)[]): ClassDistribution {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return { count: 0, min: null, q1: null, median: null, q3: null, max: null, mean: null };
  return {
    count: xs.length,
    min: xs[0]!,
    q1: quantile(xs, 0.25),
    median: quantile(xs, 0.5),
    q3: quantile(xs, 0.75),
    max: xs[xs.length - 1]!,
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
  };
}

/**
 * The percentile rank of `value` in the class (0–100): the share of the class's values below it, with
 * equal values counted half (mid-rank), so the same value always has the same rank. Null for no value.
 */
export function percentileRank(values: readonly (number | null)[], value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length === 0) return null;
  const below = xs.filter((v) => v < value).length;
  const equal = xs.filter((v) => v === value).length;
  return (100 * (below + equal / 2)) / xs.length;
}
