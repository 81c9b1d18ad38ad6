import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { ApiProblem } from '../../api/problem';
import { PageTitle } from '../../components/page-title';

type SessionRow = paths['/v1/sessions']['get']['responses'][200]['content']['application/json']['items'][number];

/**
 * The analysis of a session in one line, as GET /v1/sessions answers it: risk label, integrity score
 * and how many flags stand behind them. The document's schema is flat (every figure optional); this
 * is what the server guarantees per state, and it must stay assignable to the document's type.
 */
type AnalysisSummary =
  | { state: 'done'; risk: 'low' | 'medium' | 'high'; integrity: number; flags: number }
  | { state: 'not-enough-data'; flags: number }
  | { state: 'pending' }
  | { state: 'running' }
  | { state: 'failed' };
const refines = (s: AnalysisSummary): SessionRow['analysisSummary'] => s;
void refines;

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
        const { items } = await unwrap(api.GET('/v1/sessions', { params: { query: { limit: 100 } } }));
        if (cancelled) return;
        setSessions(items);
        if (items.some((s) => s.analysisSummary.state === 'pending' || s.analysisSummary.state === 'running')) timer = setTimeout(load, 1500);
      } catch (e: unknown) {
        if (!cancelled) setError(e instanceof ApiProblem ? e.summary : String(e));
      }
    };
    void load();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, []);
  return (
    <div className="page">
      <PageTitle>Home</PageTitle>
      <h1>Veritas</h1>
      <p>Capture writing and assessment sessions, carry them to the server without loss, analyse and replay them.</p>
      <p>
        <Link to="/write">Start a writing task</Link> · <Link to="/replay">Open a bundle file in the viewer</Link> · <a href="/docs">API documentation</a>
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
                  <Link to={`/replay/${s.id}`}>{s.meta.title ?? s.id}</Link>
                </td>
                <td>{s.kind}</td>
                <td>{s.status}</td>
                <td>{s.eventCount}</td>
                <td>
                  <AnalysisCell summary={s.analysisSummary as AnalysisSummary} />
                </td>
                <td>{new Date(s.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
