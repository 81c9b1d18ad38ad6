/** Placeholder until the writing page lands (issue 3). */
export function WritePage() {
  return <main><h1>Writing task</h1><p>Not built yet.</p></main>;
}
