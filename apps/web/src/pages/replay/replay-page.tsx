import { useEffect, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { PageTitle } from '../../components/page-title';
import { loadBundleFile, verifyStoredChain, type ChainStatus, type FlagsState, type LoadedSession } from './load-bundle';
import { followAnalysis, loadFromServer, progressPercent, type LoadProgress } from './load-session';
import { ReplayPlayer } from './replay-player';
import './replay.css';

type State =
  | { phase: 'idle' }
  | { phase: 'loading'; what: string; progress?: LoadProgress }
  | { phase: 'error'; message: string }
  | { phase: 'ready'; session: LoadedSession };

const LOADING_FLAGS: FlagsState = { from: 'none', why: 'loading' };

/** /replay and /replay/:sessionId; a share link's `?share=` token goes with every request about the session. */
export function ReplayRoute() {
  const { sessionId } = useParams();
  const [query] = useSearchParams();
  return <ReplayPage sessionId={sessionId} share={query.get('share') ?? undefined} />;
}

/**
 * The replay viewer. With a session id it streams the session's replay from the server (with a
 * progress bar), reads its metadata and follows its stored analysis; the chain is checked on
 * request. Without one it takes a bundle file, checks its chain and analyses it here, with no server.
 */
export function ReplayPage({ sessionId, share }: { sessionId: string | undefined; share?: string | undefined }) {
  const [state, setState] = useState<State>(sessionId ? { phase: 'loading', what: 'replay' } : { phase: 'idle' });
  const [flags, setFlags] = useState<FlagsState>(LOADING_FLAGS);

  useEffect(() => {
    if (!sessionId) {
      setState({ phase: 'idle' });
      return;
    }
    const ac = new AbortController();
    setState({ phase: 'loading', what: 'replay' });
    setFlags(LOADING_FLAGS);
    loadFromServer(sessionId, ac.signal, (progress) => setState({ phase: 'loading', what: 'replay', progress }), share).then(
      (session) => setState({ phase: 'ready', session }),
      (err: Error) => {
        if (err.name !== 'AbortError') setState({ phase: 'error', message: err.message });
      },
    );
    // The analysis is followed beside the replay, not before it: a pending one must not hold the replay back.
    followAnalysis(sessionId, ac.signal, setFlags, { share }).catch((err: Error) => {
      if (err.name !== 'AbortError') setFlags({ from: 'none', why: 'missing', detail: err.message });
    });
    return () => ac.abort();
  }, [sessionId, share]);

  const openFile = async (file: File) => {
    setState({ phase: 'loading', what: file.name });
    try {
      const json: unknown = JSON.parse(await file.text());
      const loaded = await loadBundleFile(json);
      setFlags(loaded.flags);
      setState({ phase: 'ready', session: loaded.session });
    } catch (err) {
      setState({ phase: 'error', message: err instanceof SyntaxError ? `${file.name} is not JSON: ${err.message}` : (err as Error).message });
    }
  };

  return (
    <div className="page page-wide rp-page">
      <PageTitle>{state.phase === 'ready' ? `Replay: ${state.session.info.title ?? state.session.info.id}` : 'Replay'}</PageTitle>
      <h1>Replay</h1>
      {state.phase === 'ready' && <SessionHeader key={state.session.info.id + state.session.source} session={state.session} />}
      {!sessionId && <DropZone onFile={openFile} compact={state.phase === 'ready'} />}
      {state.phase === 'loading' && (state.what === 'replay' ? <ReplayProgress progress={state.progress} /> : <p role="status">Loading {state.what}…</p>)}
      {state.phase === 'error' && (
        <p role="alert" className="rp-error">
          {state.message}
        </p>
      )}
      {state.phase === 'ready' && <ReplayPlayer key={state.session.info.id + state.session.source} session={state.session} flags={flags} />}
    </div>
  );
}

const size = (bytes: number) => (bytes < 1e6 ? `${Math.round(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

/** "Loading replay… 42%" with a bar, while the stream comes in; the amount received when the whole is not known yet. */
function ReplayProgress({ progress }: { progress: LoadProgress | undefined }) {
  const pct = progress ? progressPercent(progress) : null;
  return (
    <div className="rp-loading" role="status" data-testid="replay-progress">
      <span>{pct === null ? 'Loading replay…' : `Loading replay… ${pct}%`}</span>
      <progress max={100} {...(pct === null ? {} : { value: pct })} aria-label="Replay download" />
      {progress && progress.bytes > 0 && (
        <span className="rp-loading-detail">
          {size(progress.bytes)}
          {progress.totalOps > 0 ? ` · ${progress.ops.toLocaleString('en')} of ${progress.totalOps.toLocaleString('en')} operations` : ''}
        </span>
      )}
    </div>
  );
}

type Check = { state: 'idle' } | { state: 'running' } | { state: 'done'; chain: ChainStatus } | { state: 'error'; message: string };

function SessionHeader({ session }: { session: LoadedSession }) {
  const { info, index } = session;
  const [check, setCheck] = useState<Check>(session.chain ? { state: 'done', chain: session.chain } : { state: 'idle' });
  const verify = () => {
    setCheck({ state: 'running' });
    verifyStoredChain(session).then(
      (chain) => setCheck({ state: 'done', chain }),
      (err: Error) => setCheck({ state: 'error', message: err.message }),
    );
  };
  return (
    <div className="rp-header">
      <div>
        <strong>{info.title ?? `Session ${info.id}`}</strong> · {info.kind} · {info.eventCount} events
        {info.status === 'active' ? ' · still recording' : ''}
        {session.source === 'file' ? ' · played from a file, no server involved' : ''}
      </div>
      {check.state === 'done' ? (
        <ChainResult chain={check.chain} />
      ) : (
        <div className="rp-chain rp-chain-unchecked" data-testid="chain-status">
          {check.state === 'idle' && 'The hash chain has not been checked in this browser. Verify chain downloads the bundle and re-checks every hash here.'}
          {check.state === 'running' && 'Downloading the bundle and checking the chain…'}
          {check.state === 'error' && `Could not check the chain: ${check.message}`}{' '}
          {check.state !== 'running' && (
            <button type="button" className="rp-verify" onClick={verify}>
              Verify chain
            </button>
          )}
        </div>
      )}
      {index.data.divergences.length > 0 && (
        <div className="rp-chain rp-chain-bad">Replay disagreed with {index.data.divergences.length} snapshot(s); the replay follows the snapshots.</div>
      )}
    </div>
  );
}

function ChainResult({ chain }: { chain: ChainStatus }) {
  return (
    <div className={chain.ok && !chain.note ? 'rp-chain rp-chain-ok' : 'rp-chain rp-chain-bad'} data-testid="chain-status">
      {chain.ok
        ? `Chain verified in this browser: ${chain.batches} batches, ${chain.events} events, every hash links back to the session's genesis.${chain.note ? ` ${chain.note}` : ''}`
        : `Chain broken: ${chain.message}. The events may have been altered after recording.`}
    </div>
  );
}

function DropZone({ onFile, compact }: { onFile: (f: File) => void; compact: boolean }) {
  const [over, setOver] = useState(false);
  return (
    <label
      className={`rp-drop${over ? ' rp-drop-over' : ''}${compact ? ' rp-drop-compact' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer.files[0];
        if (f) onFile(f);
      }}
    >
      <input
        type="file"
        accept=".json,application/json"
        data-testid="bundle-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onFile(f);
          e.target.value = '';
        }}
      />
      <span>
        {compact
          ? 'Drop another bundle here, or choose a file'
          : 'Drop a Veritas bundle file here, or choose one. It stays in this browser: the chain is checked and the session plays with no server.'}
      </span>
    </label>
  );
}
