/** Figures as the bench tables print them: numbers, Markdown tables, "median (min–max)" of runs. */

export const fmt = (n: number, digits = 1) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';
export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');

export function table(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** The median of the finite values (the mean of the middle two for an even count); NaN when none. */
export function median(xs: number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

/** Median and range of runs, as the README quotes them: "median (min–max)". */
export function medianRange(xs: number[], digits = 1): string {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return '—';
  const med = fmt(median(v), digits);
  return v.length === 1 ? med : `${med} (${fmt(Math.min(...v), digits)}–${fmt(Math.max(...v), digits)})`;
}
