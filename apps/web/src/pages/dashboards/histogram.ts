/** A class histogram's bins with the one holding the marked value (pure, for the analytics page). */
export interface Bin {
  from: number;
  to: number;
  count: number;
  /** The marked value falls in this bin. */
  marked: boolean;
}

/**
 * The server's bins of the whole class (equal bins from its smallest to its largest value, the last
 * holding its upper edge; one when every value is the same) with the bin of `marked` marked: the last
 * bin whose lower edge is at or below it, if it lies within the range at all.
 */
export function markBins(bins: readonly Omit<Bin, 'marked'>[], marked: number | null): Bin[] {
  const last = bins.at(-1);
  const inRange = marked !== null && last !== undefined && marked >= bins[0]!.from && marked <= last.to;
  const at = inRange ? bins.findLastIndex((b) => marked >= b.from) : -1;
  return bins.map((b, i) => ({ ...b, marked: i === at }));
}
