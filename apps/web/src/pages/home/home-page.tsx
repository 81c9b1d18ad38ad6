import { useEffect, useState } from 'react';
import type { AnalysisResult } from '@veritas/schema';

interface SessionRow { id: string; kind: string; status: string; eventCount: number; createdAt: string; meta?: { title?: string } }

type AnalysisSummary = { state: 'done'; score: AnalysisResult['score']; flags: number } | { state: 'pending' | 'failed' | 'none' };

/** The analysis of a session in one line: risk label, integrity score and how many flags stand behind them. */
async function summarise(id: string): Promise<AnalysisSummary> {
  const r = await fetch(`/v1/sessions/${encodeURIComponent(id)}/analysis`);
  if (r.status === 202) return { state: 'pending' };
  if (!r.ok) return { state: 'none' };
  const body = (await r.json()) as { status: string; analysis?: Pick<AnalysisResult, 'score' | 'flags'> };
  if (body.status !== 'done' || !body.analysis) return { state: 'failed' };
  return { state: 'done', score: body.analysis.score, flags: body.analysis.flags.length };
}

function AnalysisCell({ summary }: { summary: AnalysisSummary | undefined }) {
  if (!summary || summary.state === 'pending') return <span className="muted">analysing…</span>;
  if (summary.state !== 'done') return <span className="muted">{summary.state === 'failed' ? 'analysis failed' : '—'}</span>;
  const flags = `${summary.flags} flag${summary.flags === 1 ? '' : 's'}`;
  // Too little to judge: no score and no risk label, said as such.
  if (summary.score.verdict === 'not-enough-data') return <span className="muted" title={summary.score.summary}>not enough data · {flags}</span>;
  return (
    <span className={`risk risk-${summary.score.risk}`}>
      {summary.score.risk} risk · integrity {summary.score.integrity.toFixed(2)} · {flags}
    </span>
  );
}

/** Home: what Veritas is and the sessions on this server (the demo data on a fresh start). */
export function HomePage() {
  const [sessions, setSessions] = useState<SessionRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [analyses, setAnalyses] = useState<Record<string, AnalysisSummary>>({});
  useEffect(() => {
    fetch('/v1/demo/sessions')
      .then(async (r) => (r.ok ? setSessions((await r.json()).items) : setError(`${r.status} ${r.statusText}`)))
      .catch((e: unknown) => setError(String(e)));
  }, []);
  useEffect(() => {
    if (!sessions) return;
    let cancelled = false;
    // Analyses run in the background after the demo is seeded: ask again while any is pending.
    const load = async () => {
      const entries = await Promise.all(sessions.map(async (s) => [s.id, await summarise(s.id).catch(() => ({ state: 'none' }) as const)] as const));
      if (cancelled) return;
      setAnalyses(Object.fromEntries(entries));
      if (entries.some(([, a]) => a.state === 'pending')) setTimeout(load, 1500);
    };
    void load();
    return () => {
      cancelled = true;
    };
  }, [sessions]);
  return (
    <main>
      <h1>Veritas</h1>
      <p>Capture writing and assessment sessions, carry them to the server without loss, analyse and replay them.</p>
      <p>
        <a href="/write">Start a writing task</a> · <a href="/replay">Open a bundle file in the viewer</a> ·{' '}
        <a href="/docs">API documentation</a>
      </p>
      <h2>Demo sessions</h2>
      <p className="muted">Simulated sessions of each kind. A flag is evidence for a person to weigh, never a verdict.</p>
      {error && <p role="alert">Could not load sessions: {error}</p>}
      {sessions === null && !error && <p>Loading…</p>}
      {sessions && sessions.length === 0 && <p>No sessions yet.</p>}
      {sessions && sessions.length > 0 && (
        <table>
          <thead>
            <tr><th>Session</th><th>Kind</th><th>Status</th><th>Events</th><th>Analysis</th><th>Created</th></tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td><a href={`/replay/${s.id}`}>{s.meta?.title ?? s.id}</a></td>
                <td>{s.kind}</td>
                <td>{s.status}</td>
                <td>{s.eventCount}</td>
                <td><AnalysisCell summary={analyses[s.id]} /></td>
                <td>{new Date(s.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
