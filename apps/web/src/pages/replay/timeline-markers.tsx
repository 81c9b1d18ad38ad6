import { clock, SEVERITY_COLOR } from './draw';

/** A moment to mark on the replay's timeline: a flag's occurrence, say. */
export interface TimelineMarker {
  key: string;
  /** Session time (ms), as the events' `t`. */
  t: number;
  severity: 'low' | 'medium' | 'high';
  /** What it is, in words: the marker's accessible name starts with it, then its time. */
  label: string;
}

const LANE_PX = 22;
/** Markers closer than this (a share of the timeline's width) would hide each other: the later one goes a lane down. */
const NEAR_PCT = 2;

/** Each marker's place (percent of the timeline) and lane, in time order, so that none covers another. */
export function lanesOf(markers: readonly TimelineMarker[], t0: number, t1: number): { marker: TimelineMarker; pct: number; lane: number }[] {
  const span = Math.max(1, t1 - t0);
  const lastInLane: number[] = [];
  return [...markers]
    .sort((a, b) => a.t - b.t)
    .map((marker) => {
      const pct = Math.min(1, Math.max(0, (marker.t - t0) / span)) * 100;
      let lane = lastInLane.findIndex((last) => pct - last >= NEAR_PCT);
      if (lane < 0) lane = lastInLane.length;
      lastInLane[lane] = pct;
      return { marker, pct, lane };
    });
}

/**
 * Markers over the replay's timeline, each a button at its moment's place: clicking it (or Enter /
 * Space once Tab has reached it) jumps the replay there. A list of its own beside the slider, not
 * inside it: a slider's content is presentational, and buttons there would be neither seen nor reached.
 */
export function TimelineMarkers({
  markers,
  t0,
  t1,
  active,
  onJump,
}: {
  markers: readonly TimelineMarker[];
  t0: number;
  t1: number;
  active: string | null;
  onJump: (marker: TimelineMarker) => void;
}) {
  const placed = lanesOf(markers, t0, t1);
  const lanes = placed.reduce((n, p) => Math.max(n, p.lane + 1), 1);
  return (
    <ol className="rp-markers" aria-label="Flags on the timeline" style={{ height: `${lanes * LANE_PX}px` }}>
      {placed.map(({ marker: m, pct, lane }) => (
        <li key={m.key} style={{ left: `${pct.toFixed(3)}%`, top: `${lane * LANE_PX}px` }}>
          <button
            type="button"
            className={`rp-marker rp-marker-${m.severity}${active === m.key ? ' rp-marker-active' : ''}`}
            style={{ borderTopColor: SEVERITY_COLOR[m.severity] }}
            aria-label={`${m.label}, at ${clock(Math.max(0, m.t - t0))}: jump the replay there`}
            data-marker={m.key}
            onClick={() => onJump(m)}
          />
        </li>
      ))}
    </ol>
  );
}
