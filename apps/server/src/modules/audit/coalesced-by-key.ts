/**
 * Wraps `run` so that at most one run per key is in flight, and every call is answered by a run that
 * started after it: a call during a run waits for the one run that follows it, shared with every other
 * call made meanwhile. So a burst of calls costs two runs, not one each, and none is answered by a run
 * that began before what it asked for. (p-limit and DataLoader bound or batch calls; neither shares a
 * run that is yet to start among the callers that arrive during the current one.)
 */
export function coalescedByKey(run: (key: string) => Promise<void>): (key: string) => Promise<void> {
  const current = new Map<string, Promise<void>>();
  const next = new Map<string, Promise<void>>();
  const start = (key: string): Promise<void> => {
    const p: Promise<void> = run(key).finally(() => {
      if (current.get(key) === p) current.delete(key);
    });
    current.set(key, p);
    return p;
  };
  return (key) => {
    const queued = next.get(key);
    if (queued) return queued;
    const inFlight = current.get(key);
    if (!inFlight) return start(key);
    const following = inFlight
      .catch(() => undefined)
      .then(() => {
        next.delete(key);
        return start(key);
      });
    next.set(key, following);
    return following;
  };
}
