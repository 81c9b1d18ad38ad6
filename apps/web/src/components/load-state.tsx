import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiProblem } from '../api/problem';

export type Loaded<T> = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready'; data: T };

/** What a failed request says to people: the server's words, or that it could not be reached. */
export const messageOf = (err: unknown): string => (err instanceof ApiProblem ? err.summary : 'the server could not be reached');

/**
 * Loads `load()` when `key` changes (a filter, a page) and on `reload()`; an answer that arrives
 * after a newer request started is dropped, so the page never shows an older filter's rows.
 */
export function useLoad<T>(load: () => Promise<T>, key: string): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => (s.status === 'ready' ? s : { status: 'loading' }));
    load().then(
      (data) => live && setState({ status: 'ready', data }),
      (err: unknown) => live && setState({ status: 'failed', message: messageOf(err) }),
    );
    return () => {
      live = false;
    };
    // `load` is rebuilt each render; `key` says when what it asks changed.
  }, [key, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return [state, reload];
}

/** Loading, failed and empty said plainly; `children` draws the data otherwise. */
export function LoadState<T>({
  state,
  what,
  isEmpty,
  empty,
  children,
}: {
  state: Loaded<T>;
  /** What is being loaded, in words: "the invitations". */
  what: string;
  isEmpty: (data: T) => boolean;
  empty: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (state.status === 'loading') return <p role="status">Loading {what}…</p>;
  if (state.status === 'failed')
    return (
      <p role="alert" className="form-alert">
        Could not load {what}: {state.message}.
      </p>
    );
  if (isEmpty(state.data)) return <p className="muted">{empty}</p>;
  return <>{children(state.data)}</>;
}
