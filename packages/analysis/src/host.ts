import type { EventOf } from '@veritas/schema';
import type { Flag, HostSignal, ProctoringMetrics, SensorKindMetrics, Thresholds } from './types';
import { round } from './histogram';

class SignalAcc {
  count = 0;
  min = Infinity;
  max = -Infinity;
  sum = 0;
  last = 0;
  stride = 1;
  seen = 0;
  /** Flat [t, v, t, v, …]; halved (every other point kept, stride doubled) when over the cap, so it never depends on how the stream was cut. */
  points: number[] = [];
  constructor(
    readonly key: string,
    readonly source: string,
  ) {}

  add(t: number, v: number, cap: number): void {
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.sum += v;
    this.last = v;
    if (this.seen++ % this.stride === 0) {
      this.points.push(t, v);
      if (this.points.length / 2 > cap) {
        const kept: number[] = [];
        for (let i = 0; i < this.points.length; i += 4) kept.push(this.points[i]!, this.points[i + 1]!);
        this.points = kept;
        this.stride *= 2;
      }
    }
  }

  toJSON(): HostSignal {
    const series: [number, number][] = [];
    for (let i = 0; i < this.points.length; i += 2) series.push([this.points[i]!, this.points[i + 1]!]);
    return {
      key: this.key,
      source: this.source,
      count: this.count,
      min: this.min,
      max: this.max,
      mean: round(this.sum / this.count, 4),
      last: this.last,
      series,
    };
  }
}

/** Proctoring: host metrics (as labelled, never scored) and violation events. */
export class ProctoringFold {
  metricsEvents = 0;
  violationEvents = 0;
  noFaceMs = 0;
  severalFaces = 0;
  private lastMetricsT = -1;
  private lastNoFace = false;
  readonly violations: Record<string, number> = {};
  private readonly signals = new Map<string, SignalAcc>();

  metrics(e: EventOf<'metrics'>, th: Thresholds): void {
    this.metricsEvents++;
    const v = e.data.values;
    const source = e.data.source ?? 'host';
    for (const key in v) {
      const raw = v[key];
      const num = typeof raw === 'boolean' ? (raw ? 1 : 0) : (raw as number);
      if (!Number.isFinite(num)) continue;
      const id = `${source}\u0000${key}`;
      let acc = this.signals.get(id);
      if (!acc) this.signals.set(id, (acc = new SignalAcc(key, source)));
      acc.add(e.t, num, th.hostSeriesMax);
    }
    if (this.lastMetricsT >= 0 && this.lastNoFace) this.noFaceMs += e.t - this.lastMetricsT;
    const faces = v.faces;
    const detected = v.faceDetected;
    this.lastNoFace = faces === 0 || detected === false;
    if (typeof faces === 'number' && faces > 1) this.severalFaces++;
    this.lastMetricsT = e.t;
  }

  violation(e: EventOf<'violation'>, th: Thresholds, out: Flag[]): Flag | null {
    this.violationEvents++;
    const kind = e.data.kind;
    this.violations[kind] = (this.violations[kind] ?? 0) + 1;
    if (e.data.confidence < th.violationMinConfidence) return null;
    const evidence = { seqFrom: e.seq, seqTo: e.seq, tFrom: e.t, tTo: e.t, excerpt: '' };
    const values = { confidence: e.data.confidence, violationMinConfidence: th.violationMinConfidence };
    let flag: Flag | null = null;
    const pct = Math.round(e.data.confidence * 100);
    if (kind === 'multiple_faces') {
      flag = {
        detector: 'several-faces',
        severity: 'medium',
        evidence,
        values,
        message: `The proctoring camera reported more than one face at ${clock(e.t)} (confidence ${pct}%, at or over ${Math.round(th.violationMinConfidence * 100)}%).`,
      };
    } else if (kind === 'no_face') {
      flag = {
        detector: 'no-face',
        severity: 'low',
        evidence,
        values,
        message: `The proctoring camera reported no face at ${clock(e.t)} (confidence ${pct}%, at or over ${Math.round(th.violationMinConfidence * 100)}%).`,
      };
    } else if (kind === 'prolonged_absence') {
      flag = {
        detector: 'prolonged-absence',
        severity: 'medium',
        evidence,
        values,
        message: `The proctoring camera reported the student absent for a prolonged time at ${clock(e.t)} (confidence ${pct}%, at or over ${Math.round(th.violationMinConfidence * 100)}%).`,
      };
    }
    if (flag) out.push(flag);
    return flag;
  }

  hasData(): boolean {
    return this.metricsEvents > 0 || this.violationEvents > 0;
  }

  result(): ProctoringMetrics {
    return { metricsEvents: this.metricsEvents, noFaceMs: round(this.noFaceMs), severalFacesEvents: this.severalFaces, violations: { ...this.violations } };
  }

  hostSignals(): HostSignal[] {
    return [...this.signals.values()].map((s) => s.toJSON());
  }
}

class SensorAcc {
  events = 0;
  samples = 0;
  firstT = -1;
  lastT = -1;
  gaps = 0;
  longestGap = 0;
  gapMs = 0;
  constructor(readonly kind: string) {}
}

/** Sensor sessions: the sample rate achieved and the gaps, per sensor kind. */
export class SensorFold {
  private readonly kinds = new Map<string, SensorAcc>();

  sensor(e: EventOf<'sensor'>, th: Thresholds): void {
    let acc = this.kinds.get(e.data.kind);
    if (!acc) this.kinds.set(e.data.kind, (acc = new SensorAcc(e.data.kind)));
    acc.events++;
    const rows = e.data.samples;
    const gapMs = th.sensorGapMs;
    for (let i = 0; i < rows.length; i++) {
      const st = rows[i]![0]!;
      if (acc.lastT >= 0) {
        const d = st - acc.lastT;
        if (d > gapMs) {
          acc.gaps++;
          acc.gapMs += d;
          if (d > acc.longestGap) acc.longestGap = d;
        }
      } else acc.firstT = st;
      acc.lastT = st;
      acc.samples++;
    }
  }

  hasData(): boolean {
    return this.kinds.size > 0;
  }

  result(): SensorKindMetrics[] {
    return [...this.kinds.values()].map((a) => {
      const span = a.lastT - a.firstT;
      return {
        kind: a.kind,
        events: a.events,
        samples: a.samples,
        rateHz: span > 0 ? round(((a.samples - 1) * 1000) / span, 2) : 0,
        gaps: a.gaps,
        longestGapMs: round(a.longestGap),
        gapMs: round(a.gapMs),
      };
    });
  }
}

/** m:ss (or h:mm:ss) since the session started: how flag messages, the CLI and the viewer show times. */
export function clock(t: number): string {
  const s = Math.max(0, Math.floor(t / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
