import { useEffect, useState } from 'react';

interface SessionRow {
  id: string;
  kind: string;
  status: string;
  eventCount: number;
  createdAt: string;
  meta?: { title?: string };
  analysisSummary: AnalysisSummary;
}

/** The analysis of a session in one line, as GET /v1/sessions answers it: risk label, integrity score and how many flags stand behind them. */
type AnalysisSummary =
  | { state: 'done'; risk: string; integrity: number; flags: number }
  | { state: 'not-enough-data'; flags: number }
  | { state: 'pending' }
  | { state: 'running' }
  | { state: 'failed' };

function AnalysisCell({ summary }: { summary: AnalysisSummary | undefined }) {
  if (!summary) return <span className="muted">analysing…</span>;
  switch (summary.state) {
    case 'pending':
    case 'running':
      return <span className="muted">analysing…</span>;
    case 'failed':
      return <span className="muted">analysis failed</span>;
    case 'not-enough-data':
      // Too little to judge: no score and no risk label, said as such.
      return <span className="muted">not enough data · {flagCount(summary.flags)}</span>;
    case 'done':
      return (
        <span className={`risk risk-${summary.risk}`}>
          {summary.risk} risk · integrity {summary.integrity.toFixed(2)} · {flagCount(summary.flags)}
        </span>
      );
  }
}

const flagCount = (n: number) => `${n} flag${n === 1 ? '' : 's'}`;

/** Home: what Veritas is and the sessions on this server (the demo data on a fresh start). */
export function HomePage() {
  const [sessions, setSessions] = useState<SessionRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One request answers the sessions with their analyses; the demo is analysed in the background
    // after it is seeded, so ask again while any analysis is still under way.
    const load = async () => {
      try {
        const r = await fetch('/v1/sessions?limit=100');
        if (cancelled) return;
        if (!r.ok) return setError(`${r.status} ${r.statusText}`);
        const items = ((await r.json()) as { items: SessionRow[] }).items;
        if (cancelled) return;
        setSessions(items);
        if (items.some((s) => s.analysisSummary.state === 'pending' || s.analysisSummary.state === 'running')) timer = setTimeout(load, 1500);
      } catch (e: unknown) {
        if (!cancelled) setError(String(e));
      }
    };
    void load();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, []);
  return (
    <main>
      <h1>Veritas</h1>
      <p>Capture writing and assessment sessions, carry them to the server without loss, analyse and replay them.</p>
      <p>
        <a href="/write">Start a writing task</a> · <a href="/replay">Open a bundle file in the viewer</a> · <a href="/docs">API documentation</a>
      </p>
      <h2>Demo sessions</h2>
      <p className="muted">Simulated sessions of each kind. A flag is evidence for a person to weigh, never a verdict.</p>
      {error && <p role="alert">Could not load sessions: {error}</p>}
      {sessions === null && !error && <p>Loading…</p>}
      {sessions && sessions.length === 0 && <p>No sessions yet.</p>}
      {sessions && sessions.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Session</th>
              <th>Kind</th>
              <th>Status</th>
              <th>Events</th>
              <th>Analysis</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td>
                  <a href={`/replay/${s.id}`}>{s.meta?.title ?? s.id}</a>
                </td>
                <td>{s.kind}</td>
                <td>{s.status}</td>
                <td>{s.eventCount}</td>
                <td>
                  <AnalysisCell summary={s.analysisSummary} />
                </td>
                <td>{new Date(s.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
