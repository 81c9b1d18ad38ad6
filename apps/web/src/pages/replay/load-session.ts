import { createReplayDecoder, type ReplayIndex } from '@veritas/replay';
import { api, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { flagsOf, problemText, shareHeaders, type FlagsState, type LoadedSession, type SessionInfo } from './load-bundle';

/** How far a replay download has come. `total` is the Content-Length when the server sent one (it streams, so usually not). */
export interface LoadProgress {
  bytes: number;
  total: number | null;
  ops: number;
  totalOps: number;
}

/**
 * A whole percentage for the progress bar, or null while nothing tells how much is left. It stays
 * under 100 until the index is built: the ops come first in the stream, the clock and keys after.
 */
export function progressPercent(p: LoadProgress): number | null {
  const frac = p.total ? p.bytes / p.total : p.totalOps > 0 ? p.ops / p.totalOps : null;
  return frac === null ? null : Math.min(99, Math.floor(frac * 100));
}

/**
 * Lets the browser render (the progress bar) between network reads. A message-channel task, not
 * setTimeout (clamped to 4 ms when nested) nor requestAnimationFrame (never fires in a background tab).
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/** Where performance marks of a stored session's load go (the bench and the tests may read them). */
export const LOAD_MEASURE = 'replay:stream-load';

/**
 * Streams `GET /v1/sessions/{id}/replay` (NDJSON) into the replay decoder as it arrives, which
 * takes the keyframes chunk by chunk, so the index is ready when the last byte is. Reports progress
 * after every line and every read, and yields to the browser when it moved so the page keeps drawing.
 */
export async function streamReplay(sessionId: string, signal: AbortSignal, onProgress: (p: LoadProgress) => void, share?: string): Promise<ReplayIndex> {
  const {
    data: body,
    error,
    response: res,
  } = await api.GET('/v1/sessions/{id}/replay', {
    params: { path: { id: sessionId }, query: {} },
    parseAs: 'stream',
    signal,
    headers: { accept: 'application/x-ndjson', ...shareHeaders(share) },
  });
  if (!res.ok) throw new Error(`Could not load session ${sessionId}: ${problemText(ApiProblem.from(res, error))}`);
  if (!body) throw new Error(`Could not load session ${sessionId}: the replay answer has no body`);
  performance.mark('replay:stream-start');
  // A compressed answer's Content-Length counts compressed bytes, not the ones read here.
  const length = Number(res.headers.get('content-length'));
  const total = length > 0 && !res.headers.get('content-encoding') ? length : null;
  const decoder = createReplayDecoder();
  const text = new TextDecoder();
  const reader = body.getReader();
  let bytes = 0;
  let shown = -1;
  // Reports progress; when the percentage moved, yields a task so the page can draw it.
  const report = async () => {
    const p = { bytes, total, ...decoder.progress };
    onProgress(p);
    const pct = progressPercent(p) ?? -1;
    if (pct !== shown) {
      shown = pct;
      await nextTask();
    }
  };
  // One read may hold many lines (all of them, on a fast network): feed them one by one, so an
  // ops line (thousands of operations, with their keyframes) is the longest the page stays busy.
  const feed = async (chunk: string) => {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      decoder.push(chunk.slice(from, nl + 1));
      from = nl + 1;
      await report();
    }
    if (from < chunk.length) decoder.push(chunk.slice(from));
  };
  onProgress({ bytes, total, ops: 0, totalOps: 0 });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      await feed(text.decode(value, { stream: true }));
      await report();
    }
  } finally {
    reader.releaseLock();
  }
  decoder.push(text.decode());
  const index = decoder.finish();
  performance.measure(LOAD_MEASURE, 'replay:stream-start');
  return index;
}

/** `GET /v1/sessions/{id}`: the title, kind and event count the header shows. */
export async function fetchSessionInfo(sessionId: string, signal: AbortSignal, share?: string): Promise<SessionInfo> {
  const s = await unwrap(api.GET('/v1/sessions/{id}', { params: { path: { id: sessionId } }, signal, headers: shareHeaders(share) })).catch((err: unknown) => {
    throw err instanceof ApiProblem ? new Error(`Could not load session ${sessionId}: ${err.summary}`) : err;
  });
  const title = s.meta.title;
  return { id: s.id, kind: s.kind, eventCount: s.eventCount, ...(title ? { title } : {}), status: s.status };
}

/**
 * A stored session: its metadata and its replay stream, fetched side by side. The chain is checked
 * only on request. `share` is a share link's token when the session was opened through one.
 */
export async function loadFromServer(sessionId: string, signal: AbortSignal, onProgress: (p: LoadProgress) => void, share?: string): Promise<LoadedSession> {
  // Whichever fails first ends both: no point streaming a replay whose session cannot be read.
  const ac = new AbortController();
  const stop = () => ac.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const [info, index] = await Promise.all([fetchSessionInfo(sessionId, ac.signal, share), streamReplay(sessionId, ac.signal, onProgress, share)]);
    return { info, index, chain: null, source: 'server', ...(share ? { share } : {}) };
  } catch (err) {
    ac.abort();
    throw err;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

export const ANALYSIS_POLL_MS = 2000;
export const ANALYSIS_MAX_POLLS = 90;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new DOMException('aborted', 'AbortError'));
      },
      { once: true },
    );
  });

const askAnalysis = (id: string, signal: AbortSignal, share: string | undefined) =>
  api.GET('/v1/sessions/{id}/analysis', { params: { path: { id } }, signal, headers: shareHeaders(share) });

/**
 * The stored analysis of a session: 200 done gives its flags, 200 failed says why; 202 (pending or
 * running) is reported, then asked again every ~2 s, at most `maxPolls` times. The replay does not
 * wait for it.
 */
export async function followAnalysis(
  sessionId: string,
  signal: AbortSignal,
  onState: (s: FlagsState) => void,
  { everyMs = ANALYSIS_POLL_MS, maxPolls = ANALYSIS_MAX_POLLS, share }: { everyMs?: number; maxPolls?: number; share?: string } = {},
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let answer: Awaited<ReturnType<typeof askAnalysis>>;
    try {
      answer = await askAnalysis(sessionId, signal, share);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      return onState({ from: 'none', why: 'missing', detail: 'the analysis could not be reached' });
    }
    const { data: body, error, response: res } = answer;
    if (res.status === 202) {
      if (attempt >= maxPolls) return onState({ from: 'none', why: 'gave-up', detail: `${Math.round((attempt * everyMs) / 1000)} s` });
      onState({ from: 'none', why: 'pending' });
      await sleep(everyMs, signal);
      continue;
    }
    if (res.status !== 200 || !body) return onState({ from: 'none', why: 'missing', detail: problemText(ApiProblem.from(res, error)) });
    if (body.status === 'failed') return onState({ from: 'none', why: 'failed', ...(body.error ? { detail: body.error } : {}) });
    return onState({ from: 'server', flags: flagsOf(body) });
  }
}
