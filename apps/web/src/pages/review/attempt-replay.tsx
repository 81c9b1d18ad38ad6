import { useEffect, useMemo, useState } from 'react';
import { loadFromServer, progressPercent, type LoadProgress } from '../replay/load-session';
import type { LoadedSession } from '../replay/load-bundle';
import { ReplayPlayer, type ReplayControl } from '../replay/replay-player';
import type { Monitoring } from './attempt-monitoring';
import { markersOf } from './flag-markers';
import '../replay/replay.css';

type Replay = { phase: 'loading'; progress?: LoadProgress } | { phase: 'failed'; message: string } | { phase: 'ready'; session: LoadedSession };

/** Review flags never come from the analysis list here: the markers carry them. */
const NO_ANALYSIS_FLAGS = { from: 'none', why: 'missing' } as const;

/** The attempt's session replayed, its flags' occurrences marked over the timeline. */
export function AttemptReplay({
  sessionId,
  timeline,
  control,
}: {
  sessionId: string;
  timeline: Monitoring['timeline'];
  control: { current: ReplayControl | null };
}) {
  const [replay, setReplay] = useState<Replay>({ phase: 'loading' });
  const markers = useMemo(() => markersOf(timeline), [timeline]);
  useEffect(() => {
    const ac = new AbortController();
    setReplay({ phase: 'loading' });
    loadFromServer(sessionId, ac.signal, (progress) => setReplay({ phase: 'loading', progress })).then(
      (session) => setReplay({ phase: 'ready', session }),
      (err: Error) => {
        if (err.name !== 'AbortError') setReplay({ phase: 'failed', message: err.message });
      },
    );
    return () => ac.abort();
  }, [sessionId]);
  const pct = replay.phase === 'loading' && replay.progress ? progressPercent(replay.progress) : null;
  return (
    <section aria-labelledby="replay" className="card">
      <h2 id="replay">Replay</h2>
      {replay.phase === 'loading' && <p role="status">{pct === null ? 'Loading the replay…' : `Loading the replay… ${pct}%`}</p>}
      {replay.phase === 'failed' && (
        <p role="alert" className="form-alert">
          {replay.message}
        </p>
      )}
      {replay.phase === 'ready' && <ReplayPlayer session={replay.session} flags={NO_ANALYSIS_FLAGS} markers={markers} control={control} />}
    </section>
  );
}
