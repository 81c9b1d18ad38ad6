import { detectorName, excerptOf, SEVERITY_LABEL, sessionTime, valuesOf, type FlagView } from './review-words';

/** The occurrences with their evidence: where in the session, the excerpt, what was measured. */
export function Occurrences({ flag: f }: { flag: Pick<FlagView, 'kind' | 'occurrences' | 'occurrenceList'> }) {
  const name = detectorName(f.kind);
  return (
    <>
      <h3>Evidence</h3>
      <table className="table">
        <caption className="sr-only">Occurrences of the {name} flag</caption>
        <thead>
          <tr>
            <th scope="col">When in the session</th>
            <th scope="col">Severity</th>
            <th scope="col">What was found</th>
            <th scope="col">Measured</th>
          </tr>
        </thead>
        <tbody>
          {f.occurrenceList.map((o) => {
            const excerpt = excerptOf(o.evidence);
            const values = valuesOf(o.values);
            return (
              <tr key={o.seqFrom}>
                <th scope="row">
                  {sessionTime(o.tFrom)} to {sessionTime(o.tTo)}
                  <br />
                  <span className="muted">
                    events {o.seqFrom} to {o.seqTo}
                  </span>
                </th>
                <td>{SEVERITY_LABEL[o.severity]}</td>
                <td>
                  {o.message}
                  {excerpt && <q className="flag-excerpt">{excerpt}</q>}
                </td>
                <td>{values.length > 0 ? values.map(([k, v]) => `${k} ${v}`).join(', ') : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {f.occurrences > f.occurrenceList.length && (
        <p className="muted">
          The first {f.occurrenceList.length} of {f.occurrences} occurrences are shown; the replay shows them all.
        </p>
      )}
    </>
  );
}
