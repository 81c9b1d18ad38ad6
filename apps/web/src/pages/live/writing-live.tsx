import { useEffect, useMemo, useRef } from 'react';
import { Link } from 'react-router';
import { buildReplayIndex, ORIGIN_LABEL, type Origin } from '@veritas/replay';
import { TextView } from '../replay/text-view';
import '../replay/replay.css';
import type { LiveSession } from './use-live-session';
import { duration, writingStats } from './writing-stats';

const SHOWN_ORIGINS: Origin[] = ['typed', 'paste-internal', 'paste-external', 'input-method', 'no-keystrokes'];

/**
 * A writing session as it is written: the text rebuilt from every event received (the replay
 * package's fold, coloured by origin as in the replay viewer) each time a batch arrives, with what
 * it counts beside it. The text is a log region, so a screen reader is not read every keystroke.
 */
export function WritingLive({ sessionId, live, initialText }: { sessionId: string; live: LiveSession; initialText: string | undefined }) {
  const textRef = useRef<HTMLDivElement>(null);
  const view = useRef<TextView | null>(null);
  const { events, version } = live;
  // Rebuilt per batch (at most ~10 a second): a fold over every event, as the replay viewer's.
  const state = useMemo(() => {
    if (events.length === 0) return null;
    const index = buildReplayIndex(events, initialText ? { initialText } : {});
    return index.stateAt(index.lastSeq);
  }, [version, events, initialText]);
  const stats = useMemo(() => writingStats(events), [version, events]);

  useEffect(() => {
    if (!textRef.current) return;
    view.current ??= new TextView(textRef.current);
    if (state) view.current.render(state.text, state.origins, state.caret ? Math.min(state.caret.end, state.text.length) : null);
  }, [state]);

  const text = state?.text ?? initialText ?? '';
  const words = text.trim() === '' ? 0 : text.trim().split(/\s+/).length;
  return (
    <section aria-labelledby="live-writing-h">
      <h2 id="live-writing-h">Writing</h2>
      <dl className="live-facts" data-testid="writing-stats">
        <div>
          <dt>Words</dt>
          <dd>{words}</dd>
        </div>
        <div>
          <dt>Characters</dt>
          <dd>{text.length}</dd>
        </div>
        <div>
          <dt>Pastes</dt>
          <dd>
            {stats.pastes}
            {stats.pastes > 0 ? ` (${stats.pastedChars} characters)` : ''}
          </dd>
        </div>
        <div>
          <dt>Time away</dt>
          <dd>
            {duration(stats.awayMs)}
            {stats.away ? ', away now' : ''}
          </dd>
        </div>
        <div>
          <dt>Events received</dt>
          <dd>{stats.events}</dd>
        </div>
      </dl>
      <ul className="rp-legend" aria-label="Text origins">
        {SHOWN_ORIGINS.map((o) => (
          <li key={o}>
            <span className={`rp-swatch rp-o-${o}`} /> {ORIGIN_LABEL[o]}
          </li>
        ))}
      </ul>
      <div className="rp-text" ref={textRef} data-testid="live-text" role="log" aria-label="The text as written" tabIndex={0} />
      <p>
        <Link to={`/replay/${sessionId}`}>Open the full replay</Link> (from the start, with the timeline).
      </p>
    </section>
  );
}
