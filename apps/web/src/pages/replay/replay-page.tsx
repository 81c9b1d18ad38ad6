import { useEffect, useState } from 'react';
import { analyzeHere, loadBundle, loadFromServer, type LoadedSession } from './load-bundle';
import { ReplayPlayer } from './replay-player';
import './replay.css';

type State = { phase: 'idle' } | { phase: 'loading'; what: string } | { phase: 'error'; message: string } | { phase: 'ready'; session: LoadedSession };

/**
 * The replay viewer. With a session id it loads the bundle (and any analysis flags) from the
 * server; without one it takes a bundle file, checks its chain here and plays it with no server.
 */
export function ReplayPage({ sessionId }: { sessionId: string | undefined }) {
  const [state, setState] = useState<State>(sessionId ? { phase: 'loading', what: `session ${sessionId}` } : { phase: 'idle' });

  useEffect(() => {
    if (!sessionId) {
      setState({ phase: 'idle' });
      return;
    }
    const ac = new AbortController();
    setState({ phase: 'loading', what: `session ${sessionId}` });
    loadFromServer(sessionId, ac.signal).then(
      (session) => setState({ phase: 'ready', session }),
      (err: Error) => {
        if (err.name !== 'AbortError') setState({ phase: 'error', message: err.message });
      },
    );
    return () => ac.abort();
  }, [sessionId]);

  const openFile = async (file: File) => {
    setState({ phase: 'loading', what: file.name });
    try {
      const json: unknown = JSON.parse(await file.text());
      setState({ phase: 'ready', session: analyzeHere(await loadBundle(json, 'file')) });
    } catch (err) {
      setState({ phase: 'error', message: err instanceof SyntaxError ? `${file.name} is not JSON: ${err.message}` : (err as Error).message });
    }
  };

  return (
    <main className="rp-page">
      <h1>Replay</h1>
      {state.phase === 'ready' && <SessionHeader session={state.session} />}
      {!sessionId && <DropZone onFile={openFile} compact={state.phase === 'ready'} />}
      {state.phase === 'loading' && <p role="status">Loading {state.what}…</p>}
      {state.phase === 'error' && (
        <p role="alert" className="rp-error">
          {state.message}
        </p>
      )}
      {state.phase === 'ready' && <ReplayPlayer key={state.session.bundle.session.id + state.session.source} session={state.session} />}
    </main>
  );
}

function SessionHeader({ session }: { session: LoadedSession }) {
  const { bundle, chain, index } = session;
  return (
    <div className="rp-header">
      <div>
        <strong>{bundle.session.meta?.title ?? `Session ${bundle.session.id}`}</strong> · {bundle.session.kind} · {index.data.session.eventCount} events
        {session.source === 'file' ? ' · played from a file, no server involved' : ''}
      </div>
      <div className={chain.ok ? 'rp-chain rp-chain-ok' : 'rp-chain rp-chain-bad'} data-testid="chain-status">
        {chain.ok
          ? `Chain verified in this browser: ${chain.batches} batches, ${chain.events} events, every hash links back to the session's genesis.`
          : `Chain broken: ${chain.message}. The events may have been altered after recording.`}
      </div>
      {index.data.divergences.length > 0 && (
        <div className="rp-chain rp-chain-bad">Replay disagreed with {index.data.divergences.length} snapshot(s); the replay follows the snapshots.</div>
      )}
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
      <span>{compact ? 'Drop another bundle here, or choose a file' : 'Drop a Veritas bundle file here, or choose one. It stays in this browser: the chain is checked and the session plays with no server.'}</span>
    </label>
  );
}
