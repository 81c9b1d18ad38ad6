import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { StatList } from '../../components/stat-list';
import { integrityText, riskText, stateText, when } from './dashboard-words';
import './dashboards.css';

const PAGE = 20;

/**
 * /dashboard: a teacher's page in one request (GET /v1/teachers/me/dashboard): the exams they own or
 * co-teach, the flags waiting on them, and the triage queue (attempts by unreviewed risk), each
 * attempt linking to its review and its student's detail.
 */
export function TeacherDashboardPage() {
  const [offset, setOffset] = useState(0);
  const [state] = useLoad(() => unwrap(api.GET('/v1/teachers/me/dashboard', { params: { query: { limit: PAGE, offset } } })), String(offset));
  return (
    <div className="page page-wide">
      <PageTitle>Dashboard</PageTitle>
      <h1>Dashboard</h1>
      <LoadState state={state} what="your dashboard" isEmpty={() => false} empty="">
        {(d) => (
          <>
            <StatList
              items={[
                ['Exams', d.exams.length],
                ['Open alerts (flags waiting)', d.pendingFlags],
              ]}
            />
            {d.pendingFlags > 0 && (
              <p>
                <Link to="/review">All flags to review</Link>
              </p>
            )}

            <section aria-labelledby="exams-heading">
              <h2 id="exams-heading">Your exams</h2>
              {d.exams.length === 0 ? (
                <p className="muted">
                  You own or co-teach no exam yet: <Link to="/exams/new">create one</Link>.
                </p>
              ) : (
                <table className="table">
                  <caption className="sr-only">Your exams, latest closing first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Exam</th>
                      <th scope="col">Yours</th>
                      <th scope="col">Closes</th>
                      <th scope="col">Attempts</th>
                      <th scope="col">In progress</th>
                      <th scope="col">Finished</th>
                      <th scope="col">Graded</th>
                      <th scope="col">Flags waiting</th>
                      <th scope="col">Results</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.exams.map((e) => (
                      <tr key={e.id}>
                        <th scope="row">
                          <Link to={`/exams/${e.id}/analytics`} aria-label={`Analytics of ${e.title}`}>
                            {e.title}
                          </Link>
                        </th>
                        <td>{e.owned ? 'owner' : 'co-teacher'}</td>
                        <td>{when(e.closesAt)}</td>
                        <td>{e.attempts.total}</td>
                        <td>{e.attempts.inProgress}</td>
                        <td>{e.attempts.finished}</td>
                        <td>{e.attempts.graded}</td>
                        <td>{e.pendingFlags}</td>
                        <td>{e.resultsReleased ? 'released' : 'not released'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>

            <section aria-labelledby="triage-heading">
              <h2 id="triage-heading">Triage queue</h2>
              <p className="muted">Attempts with flags waiting first, the most severe first; then by integrity, lowest first.</p>
              {d.triage.items.length === 0 ? (
                <p className="muted">No attempt to look at.</p>
              ) : (
                <table className="table">
                  <caption className="sr-only">Attempts by unreviewed risk</caption>
                  <thead>
                    <tr>
                      <th scope="col">Student</th>
                      <th scope="col">Exam</th>
                      <th scope="col">State</th>
                      <th scope="col">Flags waiting</th>
                      <th scope="col">Most severe waiting</th>
                      <th scope="col">Integrity</th>
                      <th scope="col">Risk</th>
                      <th scope="col">Review</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.triage.items.map((i) => (
                      <tr key={i.attemptId}>
                        <th scope="row">
                          <Link to={`/students/${i.studentId}`} aria-label={`Student detail: ${i.studentName}`}>
                            {i.studentName}
                          </Link>
                        </th>
                        <td>{i.examTitle}</td>
                        <td>{stateText(i.state)}</td>
                        <td>{i.pendingFlags}</td>
                        <td>{riskText(i.pendingSeverity)}</td>
                        <td>{integrityText(i.integrity, i.integrity === null ? 'none' : 'done')}</td>
                        <td>{riskText(i.risk)}</td>
                        <td>
                          <Link to={`/review/sessions/${i.sessionId}`}>
                            Review {i.studentName}’s attempt at {i.examTitle}
                          </Link>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {(d.triage.offset > 0 || d.triage.next !== null) && (
                <nav aria-label="Triage queue pages" className="pager">
                  <Button className="btn" isDisabled={d.triage.offset === 0} onPress={() => setOffset(Math.max(0, d.triage.offset - PAGE))}>
                    Previous attempts
                  </Button>{' '}
                  <Button className="btn" isDisabled={d.triage.next === null} onPress={() => d.triage.next !== null && setOffset(d.triage.next)}>
                    Next attempts
                  </Button>
                </nav>
              )}
            </section>
          </>
        )}
      </LoadState>
    </div>
  );
}
