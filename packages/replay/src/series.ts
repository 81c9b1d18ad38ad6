import type { EventOf, VeritasEvent } from '@veritas/schema';
import type { Series } from './types';

const AXES = ['x', 'y', 'z', 'w'];

/** Collects metric values and sensor samples into one numeric series per name (booleans as 0/1). */
export class SeriesCollector {
  private readonly map = new Map<string, { source: Series['source']; t: number[]; v: number[] }>();

  private push(name: string, source: Series['source'], t: number, v: number): void {
    if (!Number.isFinite(v)) return;
    let s = this.map.get(name);
    if (!s) this.map.set(name, (s = { source, t: [], v: [] }));
    s.t.push(t);
    s.v.push(v);
  }

  on(e: EventOf<'metrics'> | EventOf<'sensor'>): void {
    if (e.type === 'metrics') {
      for (const [k, v] of Object.entries(e.data.values)) this.push(k, 'metric', e.t, typeof v === 'boolean' ? (v ? 1 : 0) : v);
      return;
    }
    for (const row of e.data.samples) {
      const t = row[0]!;
      for (let i = 1; i < row.length; i++) this.push(`${e.data.kind}.${AXES[i - 1] ?? `a${i}`}`, 'sensor', t, row[i]!);
    }
  }

  finish(): Series[] {
    const out: Series[] = [];
    for (const [name, s] of this.map) {
      let t = Float64Array.from(s.t);
      let v = Float64Array.from(s.v);
      let sorted = true;
      for (let i = 1; i < t.length && sorted; i++) if (t[i]! < t[i - 1]!) sorted = false;
      if (!sorted) {
        const order = Array.from(t.keys()).sort((a, b) => t[a]! - t[b]! || a - b);
        t = Float64Array.from(order, (i) => s.t[i]!);
        v = Float64Array.from(order, (i) => s.v[i]!);
      }
      let min = Infinity;
      let max = -Infinity;
      for (const x of v) {
        if (x < min) min = x;
        if (x > max) max = x;
      }
      out.push({ name, source: s.source, t, v, min, max });
    }
    return out.sort((a, b) => (a.source === b.source ? a.name.localeCompare(b.name) : a.source === 'metric' ? -1 : 1));
  }
}

/** The metric and sensor series of a session, without building a text index: for charts. */
export function extractSeries(events: readonly VeritasEvent[]): Series[] {
  const c = new SeriesCollector();
  for (const e of events) if (e.type === 'metrics' || e.type === 'sensor') c.on(e);
  return c.finish();
}

/** The value of a series at time t (the last sample at or before t), or undefined before its first. */
export function seriesValueAt(s: Series, t: number): number | undefined {
  let lo = 0;
  let hi = s.t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.t[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : s.v[lo - 1];
}
