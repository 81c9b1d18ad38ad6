import { isFlag, parseBundle, verifyChain, type Bundle } from '@veritas/schema';
import { buildReplayIndexFromBundle, bundleEvents, type AnalysisFlag, type ReplayIndex } from '@veritas/replay';
import { analyzeSession } from '@veritas/analysis';
import { api, SHARE_HEADER, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';

export type ChainStatus =
  | { ok: true; batches: number; events: number; /** Set when the verified bundle and the replay on screen do not cover the same events. */ note?: string }
  | { ok: false; message: string };

/** What the page header shows about a session: from the bundle (a file) or from `GET /v1/sessions/{id}` (stored). */
export interface SessionInfo {
  id: string;
  kind: string;
  title?: string;
  eventCount: number;
  /** Stored sessions only: a session still `active` may grow after it was loaded. */
  status?: 'active' | 'ended';
}

/**
 * The flags beside the replay, and where they come from: the server's stored analysis, an analysis
 * run in this browser (a dropped file), or why there are none yet.
 */
export type FlagsState =
  { from: 'server' | 'browser'; flags: AnalysisFlag[] } | { from: 'none'; why: 'loading' | 'pending' | 'gave-up' | 'failed' | 'missing'; detail?: string };

export const NO_FLAGS: readonly AnalysisFlag[] = [];
export const flagsIn = (f: FlagsState): readonly AnalysisFlag[] => (f.from === 'none' ? NO_FLAGS : f.flags);

export interface LoadedSession {
  info: SessionInfo;
  index: ReplayIndex;
  /** A file's chain is checked at once; a stored session's only when asked (that needs its bundle), null until then. */
  chain: ChainStatus | null;
  source: 'file' | 'server';
  /** A stored session opened through a share link (`?share=`): its token, sent with every request about it. */
  share?: string;
}

/** The header a share link's token travels in (the server takes `?share=` too; a header keeps it out of logs). */
export const shareHeaders = (share: string | undefined): Record<string, string> => (share ? { [SHARE_HEADER]: share } : {});

/** An error's text for the page: a problem as "404 Session not found", anything else as its message. */
export const problemText = (err: unknown): string => (err instanceof ApiProblem ? err.summary : err instanceof Error ? err.message : String(err));

/** Parses a bundle or throws an error that says what is wrong with it. */
export function parseBundleJson(json: unknown): Bundle {
  const parsed = parseBundle(json);
  if (!parsed.ok)
    throw new Error(
      `Not a Veritas bundle: ${parsed.issues
        .slice(0, 3)
        .map((i) => `${i.path || '/'} ${i.message}`)
        .join('; ')}`,
    );
  return parsed.bundle;
}

/** Re-checks a bundle's hash chain here in the browser, from the session's genesis hash to its last batch. */
export async function checkChain(bundle: Bundle): Promise<ChainStatus> {
  const problem = await verifyChain(bundle.session.id, bundle.batches);
  if (problem) return { ok: false, message: `${problem.code} at batch ${problem.index} (first seq ${problem.firstSeq})` };
  return { ok: true, batches: bundle.batches.length, events: bundle.batches.reduce((n, b) => n + b.events.length, 0) };
}

/** Builds the replay index from a bundle, timed with performance marks (the bench reads them). */
function indexOf(bundle: Bundle): ReplayIndex {
  performance.mark('replay:index-start');
  const index = buildReplayIndexFromBundle(bundle);
  performance.measure('replay:index-build', 'replay:index-start');
  return index;
}

/**
 * A dropped file: parses the bundle, re-checks its hash chain here, builds the replay index and,
 * as there is no server analysis, runs the analysis here too (the analysis package is pure, so
 * the flags are the ones the server would store). Nothing leaves the browser.
 */
export async function loadBundleFile(json: unknown): Promise<{ session: LoadedSession; flags: FlagsState }> {
  const bundle = parseBundleJson(json);
  const chain = await checkChain(bundle);
  const index = indexOf(bundle);
  performance.mark('replay:analysis-start');
  const result = analyzeSession(bundleEvents(bundle), { initialText: bundle.session.meta?.initialText, capabilities: bundle.session.meta?.capabilities });
  performance.measure('replay:analysis', 'replay:analysis-start');
  const title = bundle.session.meta?.title;
  return {
    session: {
      info: { id: bundle.session.id, kind: bundle.session.kind, ...(title ? { title } : {}), eventCount: index.data.session.eventCount },
      index,
      chain,
      source: 'file',
    },
    flags: { from: 'browser', flags: flagsOf(result) },
  };
}

/**
 * "Verify chain" for a stored session: downloads its bundle and checks the chain here, so the
 * check does not rest on the server's word. Also says when the verified events are not the ones
 * the replay shows (a session still recording has grown since).
 */
export async function verifyStoredChain(session: LoadedSession, signal?: AbortSignal): Promise<ChainStatus> {
  const json = await unwrap(
    api.GET('/v1/sessions/{id}/bundle', { params: { path: { id: session.info.id } }, headers: shareHeaders(session.share), ...(signal ? { signal } : {}) }),
  ).catch((err: unknown) => {
    throw err instanceof ApiProblem ? new Error(`Could not download the bundle: ${err.summary}`) : err;
  });
  const bundle = parseBundleJson(json);
  if (bundle.session.id !== session.info.id) return { ok: false, message: `the bundle is of session ${bundle.session.id}, not ${session.info.id}` };
  const chain = await checkChain(bundle);
  if (!chain.ok) return chain;
  const shown = session.index.data.session;
  const last = bundle.batches.at(-1);
  const lastSeq = last ? last.firstSeq + last.events.length - 1 : -1;
  if (chain.events !== shown.eventCount || (shown.eventCount > 0 && lastSeq !== shown.lastSeq)) {
    chain.note = `The verified bundle holds ${chain.events} events (up to seq ${lastSeq}); the replay shown was built from ${shown.eventCount} (up to seq ${shown.lastSeq}). Reload to replay what was verified.`;
  }
  return chain;
}

/**
 * Flags from an analysis: the server's answer (`{ status: 'done', analysis: { flags } }`), an
 * analysis result (`{ flags }`) or a bare array; anything else (pending, failed) gives none.
 */
export function flagsOf(body: unknown): AnalysisFlag[] {
  const b = body as { flags?: unknown; analysis?: { flags?: unknown } } | null;
  const list = Array.isArray(body) ? body : (b?.analysis?.flags ?? b?.flags);
  return Array.isArray(list) ? list.filter(isFlag) : [];
}
