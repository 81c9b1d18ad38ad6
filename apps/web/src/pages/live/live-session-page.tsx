import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, credentials, unwrap } from '../../api/client';
import { useAuth } from '../../auth/auth-context';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { SensorLive } from './sensor-live';
import { statusText, useLiveSession } from './use-live-session';
import { WritingLive } from './writing-live';
import './live.css';

/** /live/:sessionId: a session as it is recorded. */
export function LiveSessionRoute() {
  const { sessionId = '' } = useParams();
  const auth = useAuth();
  // Signed in or not is known once the sign-in is restored: a ticket needs it, a public session does not.
  if (auth.state.status === 'loading') return <p role="status">Loading…</p>;
  return <LiveSessionPage key={sessionId} sessionId={sessionId} signedIn={auth.state.status === 'signed-in'} />;
}

/**
 * One session live: a public sensor session by its id alone (no account), an institution's session
 * for the people who may read it (its stream opened with a ticket). A sensor session shows charts per
 * channel; any other shows the text as it is written.
 */
export function LiveSessionPage({ sessionId, signedIn }: { sessionId: string; signedIn: boolean }) {
  const [title, setTitle] = useState<string | null>(null);
  const heading = title ?? 'Live session';
  return (
    <div className="page page-wide live-page">
      <PageTitle>{`Live: ${heading}`}</PageTitle>
      <h1>Live: {heading}</h1>
      <LiveSessionBody sessionId={sessionId} signedIn={signedIn} onTitle={setTitle} />
    </div>
  );
}

/** The session's live view under a heading of the caller's (this page's, or the exam monitor's panel). */
export function LiveSessionBody({ sessionId, signedIn, onTitle }: { sessionId: string; signedIn: boolean; onTitle?: (title: string) => void }) {
  const [info] = useLoad(() => unwrap(api.GET('/v1/sessions/{id}', { params: { path: { id: sessionId } } })), sessionId);
  const ready = info.status === 'ready';
  const live = useLiveSession(sessionId, { enabled: ready, ticketed: signedIn && credentials.signedIn });
  useEffect(() => {
    if (info.status === 'ready') onTitle?.(info.data.meta.title ?? `Session ${sessionId}`);
  }, [info, sessionId]);
  return (
    <LoadState state={info} what="the session" isEmpty={() => false} empty={null}>
      {(s) => (
        <>
          <p className="live-meta">
            {s.kind} session · started {new Date(s.createdAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC ·{' '}
            <Link to={`/replay/${sessionId}`}>replay</Link>
          </p>
          <p
            role="status"
            className={`live-status live-status-${live.status.state}`}
            data-testid="live-status"
            data-state={live.status.state}
            data-received={live.events.length}
            data-last-seq={live.events.at(-1)?.seq ?? -1}
            data-duplicates={live.duplicates}
          >
            {statusText(live.status)}
          </p>
          {s.kind === 'sensor' ? <SensorLive live={live} /> : <WritingLive sessionId={sessionId} live={live} initialText={s.meta.initialText} />}
        </>
      )}
    </LoadState>
  );
}
