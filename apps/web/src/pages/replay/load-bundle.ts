import { parseBundle, verifyChain, type Bundle } from '@veritas/schema';
import { buildReplayIndexFromBundle, bundleEvents, type AnalysisFlag, type ReplayIndex } from '@veritas/replay';
import { analyzeSession } from '@veritas/analysis';

export type ChainStatus = { ok: true; batches: number; events: number } | { ok: false; message: string };

export interface LoadedSession {
  bundle: Bundle;
  index: ReplayIndex;
  chain: ChainStatus;
  flags: AnalysisFlag[];
  /** Where the flags come from: the server's stored analysis, or this browser (a dropped file). */
  flagsFrom: 'server' | 'browser' | 'none';
  source: 'file' | 'server';
}

/** Parses a bundle, re-checks its hash chain here in the browser, and builds the replay index. */
export async function loadBundle(json: unknown, source: LoadedSession['source']): Promise<LoadedSession> {
  const parsed = parseBundle(json);
  if (!parsed.ok) throw new Error(`Not a Veritas bundle: ${parsed.issues.slice(0, 3).map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`);
  const { bundle } = parsed;
  const problem = await verifyChain(bundle.session.id, bundle.batches);
  const events = bundle.batches.reduce((n, b) => n + b.events.length, 0);
  const chain: ChainStatus = problem
    ? { ok: false, message: `${problem.code} at batch ${problem.index} (first seq ${problem.firstSeq})` }
    : { ok: true, batches: bundle.batches.length, events };
  performance.mark('replay:index-start');
  const index = buildReplayIndexFromBundle(bundle);
  performance.measure('replay:index-build', 'replay:index-start');
  return { bundle, index, chain, flags: [], flagsFrom: 'none', source };
}

/**
 * A dropped file has no server analysis: the analysis package is pure, so it runs here, and the
 * flags are the same ones the server would store.
 */
export function analyzeHere(loaded: LoadedSession): LoadedSession {
  performance.mark('replay:analysis-start');
  const result = analyzeSession(bundleEvents(loaded.bundle), { initialText: loaded.bundle.session.meta?.initialText });
  performance.measure('replay:analysis', 'replay:analysis-start');
  return { ...loaded, flags: flagsOf(result), flagsFrom: 'browser' };
}

function isFlag(x: unknown): x is AnalysisFlag {
  const f = x as AnalysisFlag;
  return (
    typeof f === 'object' && f !== null && typeof f.detector === 'string' && typeof f.message === 'string' &&
    (f.severity === 'low' || f.severity === 'medium' || f.severity === 'high') &&
    typeof f.evidence === 'object' && f.evidence !== null && Number.isFinite(f.evidence.tFrom) && Number.isFinite(f.evidence.tTo)
  );
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

/** Loads a session from the server: its bundle, then its analysis flags if there are any yet. */
export async function loadFromServer(sessionId: string, signal: AbortSignal): Promise<LoadedSession> {
  const id = encodeURIComponent(sessionId);
  const res = await fetch(`/v1/sessions/${id}/bundle`, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) {
    const problem = (await res.json().catch(() => null)) as { title?: string; detail?: string } | null;
    throw new Error(`Could not load session ${sessionId}: ${res.status} ${problem?.detail ?? problem?.title ?? res.statusText}`);
  }
  const loaded = await loadBundle(await res.json(), 'server');
  try {
    const a = await fetch(`/v1/sessions/${id}/analysis`, { signal, headers: { accept: 'application/json' } });
    if (a.status === 200) {
      loaded.flags = flagsOf(await a.json());
      loaded.flagsFrom = 'server';
    }
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    // No analysis yet (or none reachable): the replay stands on its own.
  }
  return loaded;
}
