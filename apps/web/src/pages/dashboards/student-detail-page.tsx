import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { StatList } from '../../components/stat-list';
import { decimal, dropoutText, integrityText, percent, riskText, stateText, when } from './dashboard-words';
import './dashboards.css';

/**
 * /students/:studentId: a student's detail for the people who teach them, in one request
 * (GET /v1/students/{studentId}): profile, classes, their attempts at the caller's exams, momentum
 * and dropout label. A student the caller does not teach is an unknown one (the server answers 404).
 */
export function StudentDetailPage() {
  const { studentId = '' } = useParams();
  const [state] = useLoad(() => unwrap(api.GET('/v1/students/{studentId}', { params: { path: { studentId } } })), studentId);
  const title = state.status === 'ready' ? state.data.profile.displayName : 'Student';
  return (
    <div className="page page-wide">
      <PageTitle>{title}</PageTitle>
      <h1>{title}</h1>
      <LoadState state={state} what="the student" isEmpty={() => false} empty="">
        {(d) => (
          <>
            <section aria-labelledby="profile-heading" className="card">
              <h2 id="profile-heading">Profile</h2>
              <dl className="facts">
                <dt>Email</dt>
                <dd>{d.profile.email}</dd>
                <dt>Enrolment number</dt>
                <dd>{d.profile.enrollmentId ?? '—'}</dd>
                <dt>Account</dt>
                <dd>{d.profile.status}</dd>
                <dt>Classes</dt>
                <dd>{d.classes.length === 0 ? 'none' : d.classes.map((c) => `${c.name} (${c.teacherName})`).join(', ')}</dd>
              </dl>
            </section>

            <section aria-labelledby="summary-heading">
              <h2 id="summary-heading">Summary of the attempts at your exams</h2>
              <StatList
                items={[
                  ['Attempts', d.summary.attempts],
                  ['Graded', d.summary.graded],
                  ['Passed', d.summary.passed],
                  ['Average score', d.summary.averagePercent === null ? '—' : `${decimal(d.summary.averagePercent)}%`],
                  ['Average integrity', percent(d.summary.averageIntegrity)],
                  ['Flags waiting', d.summary.pendingFlags],
                ]}
              />
            </section>

            <section aria-labelledby="momentum-heading" className="card">
              <h2 id="momentum-heading">Momentum</h2>
              <dl className="facts">
                <dt>Learning momentum</dt>
                <dd>{d.momentum.index === null ? 'Not enough finished attempts yet' : `${d.momentum.index} of 100`}</dd>
                <dt>Dropout label</dt>
                <dd>{dropoutText(d.momentum.label)}</dd>
                <dt>Why</dt>
                <dd>{d.momentum.reason}</dd>
              </dl>
              {d.momentum.recommendations.length > 0 && (
                <>
                  <h3 id="recommendations-heading">Recommendations</h3>
                  <ul className="recommendations" aria-labelledby="recommendations-heading">
                    {d.momentum.recommendations.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                </>
              )}
            </section>

            <section aria-labelledby="attempts-heading">
              <h2 id="attempts-heading">Attempts at your exams</h2>
              {d.attempts.length === 0 ? (
                <p className="muted">No attempt at an exam of yours.</p>
              ) : (
                <table className="table">
                  <caption className="sr-only">Attempts, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Exam</th>
                      <th scope="col">State</th>
                      <th scope="col">Finished</th>
                      <th scope="col">Score</th>
                      <th scope="col">Passed</th>
                      <th scope="col">Integrity</th>
                      <th scope="col">Risk</th>
                      <th scope="col">Flags (waiting)</th>
                      <th scope="col">Review</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.attempts.map((a) => (
                      <tr key={a.id}>
                        <th scope="row">{a.examTitle}</th>
                        <td>{stateText(a.state)}</td>
                        <td>{when(a.finishedAt)}</td>
                        <td>{a.score === null ? '—' : `${decimal(a.score)} / ${decimal(a.maxScore)}`}</td>
                        <td>{a.passed === null ? '—' : a.passed ? 'yes' : 'no'}</td>
                        <td>{integrityText(a.integrity, a.analysis)}</td>
                        <td>{riskText(a.risk)}</td>
                        <td>
                          {a.flags} ({a.pendingFlags})
                        </td>
                        <td>{a.sessionId ? <Link to={`/review/sessions/${a.sessionId}`}>Review the attempt at {a.examTitle}</Link> : '—'}</td>
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
