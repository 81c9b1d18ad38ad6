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
  const span = Math.max(1, t1 - t0);
  const place = (t: number) => Math.min(1, Math.max(0, (t - t0) / span)) * 100;
  return (
    <ol className="rp-markers" aria-label="Flags on the timeline">
      {markers.map((m) => (
        <li key={m.key} style={{ left: `${place(m.t).toFixed(3)}%` }}>
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
