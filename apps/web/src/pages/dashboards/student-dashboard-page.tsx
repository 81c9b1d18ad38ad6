import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { StatList } from '../../components/stat-list';
import { decimal, dropoutText, integrityText, riskText, stateText, when } from './dashboard-words';
import './dashboards.css';

/**
 * /my/dashboard: a student's own page in one request (GET /v1/students/me/dashboard): who they are,
 * their results once released, how their work is going (momentum, dropout label, recommendations),
 * and each attempt with a link to the process report of its session.
 */
export function StudentDashboardPage() {
  const [state] = useLoad(() => unwrap(api.GET('/v1/students/me/dashboard')), '');
  return (
    <div className="page page-wide">
      <PageTitle>My dashboard</PageTitle>
      <h1>My dashboard</h1>
      <LoadState state={state} what="your dashboard" isEmpty={() => false} empty="">
        {(d) => (
          <>
            <section aria-labelledby="profile-heading" className="card">
              <h2 id="profile-heading">Profile</h2>
              <dl className="facts">
                <dt>Name</dt>
                <dd>{d.profile.displayName}</dd>
                <dt>Email</dt>
                <dd>{d.profile.email}</dd>
                <dt>Enrolment number</dt>
                <dd>{d.profile.enrollmentId ?? '—'}</dd>
              </dl>
            </section>

            <section aria-labelledby="summary-heading">
              <h2 id="summary-heading">Summary</h2>
              <StatList
                items={[
                  ['Attempts', d.summary.attempts],
                  ['Results released', d.summary.released],
                  ['Passed', d.summary.passed],
                  ['Average result', d.summary.averagePercent === null ? '—' : `${decimal(d.summary.averagePercent)}%`],
                  ['Flags waiting for a decision', d.openFlags],
                ]}
              />
              {d.openFlags > 0 && (
                <p>
                  <Link to="/my/flags">Read and answer the flags about you</Link>
                </p>
              )}
            </section>

            <section aria-labelledby="momentum-heading" className="card">
              <h2 id="momentum-heading">How your work is going</h2>
              <dl className="facts">
                <dt>Learning momentum</dt>
                <dd>{d.momentum.index === null ? 'Not enough finished attempts yet' : `${d.momentum.index} of 100`}</dd>
                <dt>Outlook</dt>
                <dd>{dropoutText(d.momentum.label)}</dd>
                <dt>Why</dt>
                <dd>{d.momentum.reason}</dd>
              </dl>
              {d.momentum.recommendations.length > 0 && (
                <>
                  <h3 id="recommendations-heading">What we suggest</h3>
                  <ul className="recommendations" aria-labelledby="recommendations-heading">
                    {d.momentum.recommendations.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                </>
              )}
              <p className="muted">Worked out from how you wrote and your released results over your latest attempts; never from a camera.</p>
            </section>

            <section aria-labelledby="attempts-heading">
              <h2 id="attempts-heading">Attempts</h2>
              {d.attempts.length === 0 ? (
                <p className="muted">You have not taken an exam yet.</p>
              ) : (
                <table className="table">
                  <caption className="sr-only">Your attempts, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Exam</th>
                      <th scope="col">State</th>
                      <th scope="col">Finished</th>
                      <th scope="col">Score</th>
                      <th scope="col">Result</th>
                      <th scope="col">Integrity</th>
                      <th scope="col">Risk</th>
                      <th scope="col">Process report</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.attempts.map((a) => (
                      <tr key={a.id}>
                        <th scope="row">{a.examTitle}</th>
                        <td>{stateText(a.state)}</td>
                        <td>{when(a.finishedAt)}</td>
                        <td>{a.result ? `${decimal(a.result.score)} / ${decimal(a.result.maxScore)}` : 'not released'}</td>
                        <td>{a.result ? (a.result.passed ? 'passed' : 'not passed') : '—'}</td>
                        <td>{integrityText(a.integrity, a.analysis)}</td>
                        <td>{riskText(a.risk)}</td>
                        <td>{a.sessionId ? <Link to={`/report/${a.sessionId}`}>Process report: {a.examTitle}</Link> : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </>
        )}
      </LoadState>
    </div>
  );
}
