import { useEffect, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { PageTitle } from '../../components/page-title';
import { shareHeaders, type FlagsState, type LoadedSession } from '../replay/load-bundle';
import { followAnalysis, loadFromServer } from '../replay/load-session';
import { ReplayPlayer } from '../replay/replay-player';
import { SessionReport } from '../sessions/report-page';
import '../replay/replay.css';

type Scope = 'replay' | 'report' | 'both';
type Link = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; scope: Scope; expiresAt: string | null };

const SCOPE_WORDS: Record<Scope, string> = { replay: 'the replay', report: 'the report', both: 'the replay and the report' };

/**
 * /shared/:sessionId?share=<token>: what a share link opens, with no account. It asks the server what
 * the link opens and shows only that (the server refuses the rest anyway).
 */
export function SharedPage() {
  const { sessionId = '' } = useParams();
  const [query] = useSearchParams();
  const share = query.get('share') ?? '';
  const [link, setLink] = useState<Link>({ state: 'loading' });

  useEffect(() => {
    const ac = new AbortController();
    api.GET('/v1/sessions/{id}/share-link', { params: { path: { id: sessionId } }, headers: shareHeaders(share), signal: ac.signal }).then(
      ({ data, error, response }) =>
        response.ok && data?.viaLink
          ? setLink({ state: 'ready', scope: data.scope, expiresAt: data.expiresAt })
          : setLink({
              state: 'failed',
              message: response.ok
                ? 'This page opens only through a share link.'
                : `This link does not open anything: ${ApiProblem.from(response, error).summary}`,
            }),
      (err: Error) => err.name !== 'AbortError' && setLink({ state: 'failed', message: err.message }),
    );
    return () => ac.abort();
  }, [sessionId, share]);

  return (
    <div className="page page-wide">
      <PageTitle>Shared session</PageTitle>
      <h1>Shared session</h1>
      {link.state === 'loading' && <p role="status">Opening the link…</p>}
      {link.state === 'failed' && (
        <p role="alert" className="form-alert">
          {link.message} It may have expired or been revoked: ask whoever shared it for a new one.
        </p>
      )}
      {link.state === 'ready' && (
        <>
          <p data-testid="share-scope">
            This link opens {SCOPE_WORDS[link.scope]}
            {link.expiresAt ? ` until ${new Date(link.expiresAt).toUTCString()}` : ''}. Every view is recorded.
          </p>
          {link.scope !== 'report' && <SharedReplay sessionId={sessionId} share={share} withFlags={link.scope === 'both'} />}
          {link.scope !== 'replay' && (
            <section aria-labelledby="report-h">
              <h2 id="report-h">Process report</h2>
              <SessionReport sessionId={sessionId} share={share} />
            </section>
          )}
        </>
      )}
    </div>
  );
}

const NO_FLAGS: FlagsState = { from: 'none', why: 'missing', detail: 'this link does not open the report' };

/** The replay through the link; the flags only when the link opens the report too. */
function SharedReplay({ sessionId, share, withFlags }: { sessionId: string; share: string; withFlags: boolean }) {
  const [session, setSession] = useState<LoadedSession | { error: string } | null>(null);
  const [flags, setFlags] = useState<FlagsState>(withFlags ? { from: 'none', why: 'loading' } : NO_FLAGS);
  useEffect(() => {
    const ac = new AbortController();
    loadFromServer(sessionId, ac.signal, () => {}, share).then(setSession, (err: Error) => err.name !== 'AbortError' && setSession({ error: err.message }));
    if (withFlags)
      followAnalysis(sessionId, ac.signal, setFlags, { share }).catch((err: Error) => {
        if (err.name !== 'AbortError') setFlags({ from: 'none', why: 'missing', detail: err.message });
      });
    return () => ac.abort();
  }, [sessionId, share, withFlags]);
  return (
    <section aria-labelledby="replay-h">
      <h2 id="replay-h">Replay</h2>
      {session === null && <p role="status">Loading the replay…</p>}
      {session && 'error' in session && (
        <p role="alert" className="form-alert">
          {session.error}
        </p>
      )}
      {session && 'index' in session && <ReplayPlayer session={session} flags={flags} />}
    </section>
  );
}
