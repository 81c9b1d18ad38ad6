/**
 * The memory verdict: the least-squares slope of a process's memory per minute after the warm-up,
 * with its 95% confidence interval (Student's t with n − 2 degrees of freedom).
 */

/** Two-sided 95% quantiles of Student's t for 1–30 degrees of freedom; 2.0 beyond (2.021 at 40, 2.000 at 60). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
const t95 = (df: number) => T95[df - 1] ?? 2.0;

export interface Trend {
  /** Units per minute (MB/min for memory). */
  slope: number;
  low: number;
  high: number;
  points: number;
}

/** The slope of y over x (minutes) with its 95% interval; NaN bounds with fewer than 3 points. */
export function slopeWithInterval(xs: number[], ys: number[]): Trend {
  const pts = xs.map((x, i) => [x, ys[i]!] as const).filter(([, y]) => Number.isFinite(y));
  const n = pts.length;
  if (n < 2) return { slope: Number.NaN, low: Number.NaN, high: Number.NaN, points: n };
  const mx = pts.reduce((s, [x]) => s + x, 0) / n;
  const my = pts.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = pts.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const slope = pts.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  if (n < 3) return { slope, low: Number.NaN, high: Number.NaN, points: n };
  const residual = pts.reduce((s, [x, y]) => s + (y - my - slope * (x - mx)) ** 2, 0);
  const se = Math.sqrt(residual / (n - 2) / sxx);
  const half = t95(n - 2) * se;
  return { slope, low: slope - half, high: slope + half, points: n };
}

/**
 * "No growth trend" when the interval holds 0 (no slope told apart from noise), or the slope is under
 * `boundPerMin` of the baseline per minute (a slope too small to matter, e.g. 0.5%/min, 4% over 8 minutes).
 */
export function noGrowth(t: Trend, baseline: number, boundPerMin: number): boolean {
  if (!Number.isFinite(t.slope)) return false;
  return (t.low <= 0 && t.high >= 0) || t.slope < boundPerMin * baseline;
}
