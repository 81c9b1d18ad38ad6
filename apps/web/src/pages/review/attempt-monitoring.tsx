import { api, unwrap } from '../../api/client';
import { detectorName, occurrencesWord, SEVERITY_LABEL, sessionTime, STATE_LABEL, type ReviewState } from './review-words';

/** GET /v1/attempts/{attemptId}/monitoring. */
export const fetchMonitoring = (attemptId: string) => unwrap(api.GET('/v1/attempts/{attemptId}/monitoring', { params: { path: { attemptId } } }));
export type Monitoring = Awaited<ReturnType<typeof fetchMonitoring>>;

const ANALYSIS_STATUS: Record<string, string> = {
  done: 'done',
  pending: 'waiting to run',
  running: 'running',
  failed: 'failed',
  none: 'not started: the attempt has no session yet',
};

const stateWord = (s: string) => STATE_LABEL[s as ReviewState] ?? s;

/**
 * The attempt's monitoring (GET /v1/attempts/{id}/monitoring): its events by type, its live alerts by
 * severity, the timeline of anomalies (each flag's occurrences, each a button that jumps the replay
 * there) and the analysis's headline. Tables, so every figure is read as text.
 */
export function AttemptMonitoring({ data, onJump }: { data: Monitoring; onJump: ((t: number) => void) | null }) {
  const types = Object.entries(data.events.byType).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const score = data.analysis.result?.score;
  return (
    <section aria-labelledby="monitoring" className="card">
      <h2 id="monitoring">Monitoring</h2>
      <h3>The analysis</h3>
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="analysis-status">{ANALYSIS_STATUS[data.analysis.status] ?? data.analysis.status}</dd>
        {score && (
          <>
            <dt>Integrity</dt>
            <dd>{score.verdict === 'scored' ? `${Math.round(score.integrity * 100)} of 100, ${score.risk} risk` : 'not enough data to judge'}</dd>
            <dt>Why</dt>
            <dd>{score.summary}</dd>
          </>
        )}
      </dl>
      <div className="monitoring-tables">
        <table className="table">
          <caption>Events by type ({data.events.total.toLocaleString('en')} in all)</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Events</th>
            </tr>
          </thead>
          <tbody>
            {types.map(([type, n]) => (
              <tr key={type}>
                <th scope="row">{type}</th>
                <td>{n.toLocaleString('en')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="table">
          <caption>Live alerts by severity ({data.alerts.total.toLocaleString('en')} in all)</caption>
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Alerts</th>
            </tr>
          </thead>
          <tbody>
            {(['high', 'medium', 'low'] as const).map((s) => (
              <tr key={s}>
                <th scope="row">{SEVERITY_LABEL[s]}</th>
                <td>{data.alerts.bySeverity[s]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Timeline of anomalies</h3>
      {data.timeline.length === 0 ? (
        <p className="muted">No anomaly: the session has no flag.</p>
      ) : (
        <table className="table">
          <caption className="sr-only">Timeline of anomalies, by first occurrence</caption>
          <thead>
            <tr>
              <th scope="col">Flag</th>
              <th scope="col">Severity</th>
              <th scope="col">State</th>
              <th scope="col">When in the session</th>
            </tr>
          </thead>
          <tbody>
            {data.timeline.map((f) => (
              <tr key={f.flagId}>
                <th scope="row">
                  {detectorName(f.kind)}
                  <br />
                  <span className="muted">{f.message}</span>
                </th>
                <td>
                  <span className={`risk risk-${f.severity}`}>{SEVERITY_LABEL[f.severity]}</span>
                </td>
                <td>{stateWord(f.state)}</td>
                <td>
                  {occurrencesWord(f.occurrences)}:{' '}
                  {f.times.map((o, i) =>
                    onJump ? (
                      <button
                        key={o.seqFrom}
                        type="button"
                        className="btn-link"
                        aria-label={`Jump the replay to occurrence ${i + 1} of the ${detectorName(f.kind)} flag, at ${sessionTime(o.tFrom)}`}
                        onClick={() => onJump(o.tFrom)}
                      >
                        {sessionTime(o.tFrom)}
                      </button>
                    ) : (
                      <span key={o.seqFrom}>{sessionTime(o.tFrom)} </span>
                    ),
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
