import { useEffect, useState } from 'react';

interface SessionRow { id: string; kind: string; status: string; eventCount: number; createdAt: string; meta?: { title?: string } }

/** Home: what Veritas is and the sessions on this server (the demo data on a fresh start). */
export function HomePage() {
  const [sessions, setSessions] = useState<SessionRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/v1/demo/sessions')
      .then(async (r) => (r.ok ? setSessions((await r.json()).items) : setError(`${r.status} ${r.statusText}`)))
      .catch((e: unknown) => setError(String(e)));
  }, []);
  return (
    <main>
      <h1>Veritas</h1>
      <p>Capture writing and assessment sessions, carry them to the server without loss, analyse and replay them.</p>
      <p>
        <a href="/write">Start a writing task</a> · <a href="/replay">Open a bundle file in the viewer</a> ·{' '}
        <a href="/docs">API documentation</a>
      </p>
      <h2>Sessions</h2>
      {error && <p role="alert">Could not load sessions: {error}</p>}
      {sessions === null && !error && <p>Loading…</p>}
      {sessions && sessions.length === 0 && <p>No sessions yet.</p>}
      {sessions && sessions.length > 0 && (
        <table>
          <thead>
            <tr><th>Session</th><th>Kind</th><th>Status</th><th>Events</th><th>Created</th></tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td><a href={`/replay/${s.id}`}>{s.meta?.title ?? s.id}</a></td>
                <td>{s.kind}</td>
                <td>{s.status}</td>
                <td>{s.eventCount}</td>
                <td>{new Date(s.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
