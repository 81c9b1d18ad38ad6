/** Placeholder until the replay viewer lands (issue 5). */
export function ReplayPage(_props: { sessionId: string | undefined }) {
  return <main><h1>Replay</h1><p>Not built yet.</p></main>;
}
