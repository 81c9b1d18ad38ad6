import type { VeritasEvent } from '@veritas/schema';

/** One sensor channel (an event `kind`: accel, gyro …): its samples as received, `[t, v1, v2, …]`. */
export interface SensorChannel {
  kind: string;
  /** Names of the value columns: x, y, z for three, v1 … otherwise. */
  columns: string[];
  rows: number[][];
}

/** The window the charts show, ending at the newest sample. */
export const CHART_WINDOW_MS = 20_000;
/** At most this many points per chart line: beyond it the window is thinned evenly. */
export const CHART_POINTS = 400;

const XYZ = ['x', 'y', 'z'];

/**
 * The sensor samples of a session, by channel, fed batch by batch (never re-reading what it has).
 * Channels keep every sample: a table and the latest values come from them, the charts from a window.
 */
export class SensorChannels {
  private readonly byKind = new Map<string, SensorChannel>();
  private read = 0;

  /** Takes the events after the ones already read (the caller's array only grows). */
  update(events: readonly VeritasEvent[]): void {
    for (; this.read < events.length; this.read++) {
      const e = events[this.read]!;
      if (e.type !== 'sensor') continue;
      let ch = this.byKind.get(e.data.kind);
      if (!ch) {
        const width = Math.max(1, (e.data.samples[0]?.length ?? 2) - 1);
        ch = { kind: e.data.kind, columns: width <= 3 ? XYZ.slice(0, width) : Array.from({ length: width }, (_, i) => `v${i + 1}`), rows: [] };
        this.byKind.set(e.data.kind, ch);
      }
      for (const row of e.data.samples) ch.rows.push(row);
    }
  }

  get channels(): SensorChannel[] {
    return [...this.byKind.values()];
  }
}

/** The chart's points: the last CHART_WINDOW_MS of samples, thinned to CHART_POINTS, t in seconds. */
export function chartPoints(ch: SensorChannel): Record<string, number>[] {
  const rows = ch.rows;
  const last = rows[rows.length - 1];
  if (!last) return [];
  let from = rows.length - 1;
  while (from > 0 && rows[from - 1]![0]! >= last[0]! - CHART_WINDOW_MS) from--;
  const step = Math.max(1, Math.ceil((rows.length - from) / CHART_POINTS));
  const out: Record<string, number>[] = [];
  for (let i = from; i < rows.length; i += step) out.push(point(ch, rows[i]!));
  if ((rows.length - 1 - from) % step !== 0) out.push(point(ch, last));
  return out;
}

function point(ch: SensorChannel, row: number[]): Record<string, number> {
  const p: Record<string, number> = { t: row[0]! / 1000 };
  ch.columns.forEach((c, i) => (p[c] = row[i + 1]!));
  return p;
}
