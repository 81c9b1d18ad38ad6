import { useEffect, useMemo, useRef, useState } from 'react';
import { buildTimeline, ORIGINS, ORIGIN_LABEL, placeFlags, seriesValueAt, type Origin } from '@veritas/replay';
import { flagsIn, type FlagsState, type LoadedSession } from './load-bundle';
import { TextView } from './text-view';
import { Playback, SPEEDS } from './playback';
import { clock, drawCharts, drawScrubber, flagAt, fmt, FLAG_BAND, SEVERITY_COLOR } from './draw';
import { TimelineMarkers, type TimelineMarker } from './timeline-markers';

/** What a page around the player may do with it: jump the replay to a moment (session time, ms). */
export interface ReplayControl {
  seek(t: number): void;
}

const SHOWN_ORIGINS: Origin[] = ORIGINS.filter((o) => o !== 'restored');

/**
 * The player: controls, scrubber, text coloured by origin with the caret, charts for metrics and sensors.
 * With `markers` (the review page: a flag's occurrences), they stand over the scrubber in place of the
 * analysis's flags, and `control` lets the page jump the replay.
 */
export function ReplayPlayer({
  session,
  flags,
  markers,
  control,
}: {
  session: LoadedSession;
  flags: FlagsState;
  markers?: readonly TimelineMarker[];
  control?: { current: ReplayControl | null };
}) {
  const { index } = session;
  // Flags may arrive after the replay (a pending analysis): placing them must not rebuild the playback.
  const base = useMemo(() => buildTimeline(index), [index]);
  const placed = useMemo(() => (markers ? [] : placeFlags(index, [...flagsIn(flags)])), [index, flags, markers]);
  const timeline = useMemo(() => ({ ...base, flags: placed }), [base, placed]);
  const idle = base.idle;
  const hasText = index.opCount > 0 || index.data.session.initialText.length > 0;
  const series = index.data.series;
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(8);
  const [skip, setSkip] = useState(true);
  const [activeFlag, setActiveFlag] = useState<number | null>(null);
  const [activeMarker, setActiveMarker] = useState<string | null>(null);
  const textRef = useRef<HTMLDivElement>(null);
  const scrubRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<HTMLCanvasElement>(null);
  const headRef = useRef<HTMLDivElement>(null);
  const sliderRef = useRef<HTMLDivElement>(null);
  const chartHeadRef = useRef<HTMLDivElement>(null);
  const timeRef = useRef<HTMLSpanElement>(null);
  const valuesRef = useRef<HTMLDivElement>(null);
  const playbackRef = useRef<Playback | null>(null);

  useEffect(() => {
    const view = textRef.current ? new TextView(textRef.current) : null;
    const cursor = index.cursor();
    const span = Math.max(1, index.t1 - index.t0);
    const playback = new Playback(index, idle, {
      draw(t, seq) {
        const frac = (t - index.t0) / span;
        const pct = `${(frac * 100).toFixed(3)}%`;
        if (headRef.current) headRef.current.style.left = pct;
        if (chartHeadRef.current) chartHeadRef.current.style.left = pct;
        if (timeRef.current) timeRef.current.textContent = `${clock(t - index.t0)} / ${clock(span)} · seq ${Math.max(seq, index.firstSeq - 1)}`;
        // The slider's value for assistive technology: a percentage, read as the time.
        sliderRef.current?.setAttribute('aria-valuenow', String(Math.round(frac * 100)));
        sliderRef.current?.setAttribute('aria-valuetext', `${clock(t - index.t0)} of ${clock(span)}`);
        if (view) {
          cursor.moveTo(seq);
          const caret = cursor.caret();
          view.render(cursor.text(), cursor.origins(), caret ? Math.min(caret.end, cursor.length) : null);
        }
        if (valuesRef.current && series.length > 0) {
          valuesRef.current.textContent = series
            .map((s) => {
              const v = seriesValueAt(s, t);
              return `${s.name} ${v === undefined ? '–' : fmt(v)}`;
            })
            .join(' · ');
        }
      },
      onPlaying: setPlaying,
    });
    playbackRef.current = playback;
    if (control)
      control.current = {
        seek(t) {
          playback.pause();
          playback.seek(t);
        },
      };
    playback.draw();
    return () => {
      if (control) control.current = null;
      playback.destroy();
    };
  }, [index, idle, series, control]);

  useEffect(() => {
    const draw = () => {
      if (scrubRef.current) drawScrubber(scrubRef.current, index, timeline);
      if (chartRef.current && series.length > 0) drawCharts(chartRef.current, series, index.t0, index.t1);
    };
    draw();
    const ro = new ResizeObserver(draw);
    if (scrubRef.current) ro.observe(scrubRef.current);
    return () => ro.disconnect();
  }, [index, timeline, series]);

  useEffect(() => {
    if (playbackRef.current) playbackRef.current.speed = speed;
  }, [speed]);
  useEffect(() => {
    if (playbackRef.current) playbackRef.current.skipIdle = skip;
  }, [skip]);

  const timeAtX = (clientX: number, el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    return index.t0 + Math.min(1, Math.max(0, (clientX - r.left) / r.width)) * (index.t1 - index.t0);
  };
  const jumpToFlag = (id: number, t?: number) => {
    const f = timeline.flags.find((x) => x.id === id);
    if (!f || !playbackRef.current) return;
    playbackRef.current.pause();
    playbackRef.current.seek(t ?? f.tFrom);
    setActiveFlag(id);
  };
  const onScrub = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const el = e.currentTarget;
    const r = el.getBoundingClientRect();
    if (e.type === 'pointerdown' && e.clientY - r.top < FLAG_BAND) {
      const f = flagAt(timeline, e.clientX - r.left, r.width);
      if (f) return jumpToFlag(f.id);
    }
    if (e.type === 'pointerdown') el.setPointerCapture(e.pointerId);
    if (e.type === 'pointermove' && !el.hasPointerCapture(e.pointerId)) return;
    playbackRef.current?.seek(timeAtX(e.clientX, el));
  };
  const onKey = (e: React.KeyboardEvent) => {
    const p = playbackRef.current;
    if (!p) return;
    const step = (e.shiftKey ? 10_000 : 1000) * Math.max(1, p.speed / 4);
    if (e.key === 'ArrowRight') p.seek(p.t + step);
    else if (e.key === 'ArrowLeft') p.seek(p.t - step);
    else return;
    e.preventDefault();
  };

  return (
    <section className="rp-player" aria-label="Replay">
      <div className="rp-controls">
        <button type="button" className="rp-play" onClick={() => (playing ? playbackRef.current?.pause() : playbackRef.current?.play())}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <label>
          Speed{' '}
          <select aria-label="Speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>{`${s}×`}</option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={skip} onChange={(e) => setSkip(e.target.checked)} /> Skip idle stretches
        </label>
        <span className="rp-time" ref={timeRef} aria-live="off" />
      </div>
      {markers && (
        <TimelineMarkers
          markers={markers}
          t0={index.t0}
          t1={index.t1}
          active={activeMarker}
          onJump={(m) => {
            playbackRef.current?.pause();
            playbackRef.current?.seek(m.t);
            setActiveMarker(m.key);
          }}
        />
      )}
      <div
        className="rp-scrubber"
        ref={sliderRef}
        tabIndex={0}
        role="slider"
        aria-label="Playback position"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={0}
        onKeyDown={onKey}
      >
        <canvas ref={scrubRef} onPointerDown={onScrub} onPointerMove={onScrub} />
        <div className="rp-head" ref={headRef} />
      </div>
      <ScrubberLegend markers={markers !== undefined} />
      {!markers && (
        <p className="rp-flags-note" data-testid="flags-source">
          {flagsNote(flags, timeline.flags.length)}
        </p>
      )}
      {timeline.flags.length > 0 && (
        <ol className="rp-flags">
          {timeline.flags.map((f) => (
            <li key={f.id}>
              <button type="button" data-flag={f.id} className={activeFlag === f.id ? 'rp-flag rp-flag-active' : 'rp-flag'} onClick={() => jumpToFlag(f.id)}>
                <span className={`rp-sev rp-sev-${f.severity}`} style={{ borderColor: SEVERITY_COLOR[f.severity] }}>
                  {f.severity}
                </span>{' '}
                {clock(f.tFrom - index.t0)} · {f.detector}: {f.message}
              </button>
              {f.evidence.moments && f.evidence.moments.length > 0 && (
                // The stretches that made the case: each jumps to where it starts.
                <ol className="rp-moments" aria-label={`Moments behind the ${f.detector} flag`}>
                  {f.evidence.moments.map((m, i) => (
                    <li key={i}>
                      <button type="button" data-moment={`${f.id}:${i}`} onClick={() => jumpToFlag(f.id, Math.min(index.t1, Math.max(index.t0, m.tFrom)))}>
                        {clock(m.tFrom - index.t0)}
                        {m.excerpt ? ` “${m.excerpt}”` : ''}
                      </button>
                    </li>
                  ))}
                </ol>
              )}
            </li>
          ))}
        </ol>
      )}
      {hasText && (
        <>
          <ul className="rp-legend" aria-label="Text origins">
            {SHOWN_ORIGINS.map((o) => (
              <li key={o}>
                <span className={`rp-swatch rp-o-${o}`} /> {ORIGIN_LABEL[o]}
              </li>
            ))}
          </ul>
          <div className="rp-text" ref={textRef} data-testid="replay-text" />
        </>
      )}
      {series.length > 0 && (
        <div className="rp-charts">
          <div className="rp-values" ref={valuesRef} />
          <div className="rp-chart-wrap">
            <canvas ref={chartRef} aria-label="Metrics and sensors over time" />
            <div className="rp-head" ref={chartHeadRef} />
          </div>
        </div>
      )}
      {!hasText && series.length === 0 && <p>This session has no text and no metrics or sensor data to replay.</p>}
    </section>
  );
}

function flagsNote(flags: FlagsState, n: number): string {
  const count = `${n} flag${n === 1 ? '' : 's'}`;
  switch (flags.from) {
    case 'server':
      return `${count} from the stored analysis. A flag is evidence to weigh, not a verdict.`;
    case 'browser':
      return `${count} from an analysis run in this browser. A flag is evidence to weigh, not a verdict.`;
  }
  switch (flags.why) {
    case 'loading':
      return 'Loading the analysis…';
    case 'pending':
      return 'Analysis pending: the flags appear here when it is done.';
    case 'gave-up':
      return `Analysis still pending after ${flags.detail ?? 'a while'}; reload the page to look again.`;
    case 'failed':
      return `The analysis of this session failed${flags.detail ? `: ${flags.detail}` : ''}. No flags to show.`;
    case 'missing':
      return `No analysis yet for this session${flags.detail ? ` (${flags.detail})` : ''}.`;
  }
}

function ScrubberLegend({ markers }: { markers: boolean }) {
  return (
    <p className="rp-scrub-legend">
      <span className="rp-key rp-key-density" /> activity <span className="rp-key rp-key-away" /> time away <span className="rp-key rp-key-pin" /> paste from
      this session <span className="rp-key rp-key-pex" /> paste from outside <span className="rp-key rp-key-flag" />{' '}
      {markers ? 'flags: the markers above the timeline (click one, or reach it with Tab, to jump there)' : 'flags (click to jump)'}
    </p>
  );
}
