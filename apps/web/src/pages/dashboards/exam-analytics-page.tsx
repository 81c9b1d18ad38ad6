import { Link, useParams, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { Pager, usePager } from '../../components/pager';
import { StatList } from '../../components/stat-list';
import { StandingHistogram, STANDING } from './class-standing';
import { decimal, integrityText, percent, riskText, stateText } from './dashboard-words';
import { ResultsDownload } from './results-download';
import { RiskChart } from './risk-chart';
import './dashboards.css';

/** Rows of the per-student breakdown a page shows. */
const PAGE = 50;

/**
 * /exams/:examId/analytics: an exam's analytics in one request (GET /v1/exams/{examId}/analytics):
 * the class's numbers, the risk distribution, a page of the per-student breakdown (by name, 50 at a
 * time: every row is in the CSV), and where the chosen attempt of the page (`?attempt=`, its first
 * one by default) stands against the whole class on each measure. Every chart has its caption and its
 * data as a table.
 */
export function ExamAnalyticsPage() {
  const { examId = '' } = useParams();
  const [search] = useSearchParams();
  const paging = usePager();
  const [state] = useLoad(
    () =>
      unwrap(
        api.GET('/v1/exams/{examId}/analytics', {
          params: { path: { examId }, query: { limit: PAGE, ...(paging.cursor ? { cursor: paging.cursor } : {}) } },
        }),
      ),
    `${examId} ${paging.cursor ?? ''}`,
  );
  const title = state.status === 'ready' ? `Analytics: ${state.data.exam.title}` : 'Exam analytics';
  return (
    <div className="page page-wide">
      <PageTitle>{title}</PageTitle>
      <h1>{title}</h1>
      <p>
        <Link to="/exams">All exams</Link>
      </p>
      <LoadState state={state} what="the exam's analytics" isEmpty={() => false} empty="">
        {(d) => {
          const chosen = d.students.find((s) => s.attemptId === search.get('attempt')) ?? d.students[0];
          return (
            <>
              <ResultsDownload examId={d.exam.id} />
              <section aria-labelledby="summary-heading">
                <h2 id="summary-heading">Summary</h2>
                <StatList
                  items={[
                    ['Attempts', d.summary.attempts],
                    ['Students', d.summary.students],
                    ['Average score', d.summary.averageScore === null ? '—' : `${decimal(d.summary.averageScore)} / ${decimal(d.exam.maxScore)}`],
                    ['Pass rate', percent(d.summary.passRate)],
                    ['Average integrity', percent(d.summary.averageIntegrity)],
                    ['High risk', d.summary.highRisk],
                    ['Flagged attempts', d.summary.flagged],
                    ['Flags waiting', d.summary.pendingFlags],
                  ]}
                />
              </section>

              <section aria-labelledby="risk-heading">
                <h2 id="risk-heading">Risk</h2>
                <RiskChart risk={d.risk} />
              </section>

              <section aria-labelledby="students-heading">
                <h2 id="students-heading">Students</h2>
                {d.students.length === 0 ? (
                  <p className="muted">No attempt yet.</p>
                ) : (
                  <p>
                    {d.students.length === d.page.total
                      ? `All ${d.page.total} attempts, by name.`
                      : `${d.students.length} of ${d.page.total} attempts, by name (page ${paging.depth + 1}); the CSV holds them all.`}
                  </p>
                )}
                {d.students.length > 0 && (
                  <table className="table">
                    <caption className="sr-only">One row per attempt, by name</caption>
                    <thead>
                      <tr>
                        <th scope="col">Student</th>
                        <th scope="col">State</th>
                        <th scope="col">Score</th>
                        <th scope="col">Passed</th>
                        <th scope="col">Integrity</th>
                        <th scope="col">Risk</th>
                        <th scope="col">Flags (waiting)</th>
                        <th scope="col">Review</th>
                        <th scope="col">Against the class</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.students.map((s) => (
                        <tr key={s.attemptId}>
                          <th scope="row">
                            <Link to={`/students/${s.studentId}`} aria-label={`Student detail: ${s.name}`}>
                              {s.name}
                            </Link>
                          </th>
                          <td>{stateText(s.state)}</td>
                          <td>{s.score === null ? '—' : decimal(s.score)}</td>
                          <td>{s.passed === null ? '—' : s.passed ? 'yes' : 'no'}</td>
                          <td>{integrityText(s.integrity, s.analysis)}</td>
                          <td>{riskText(s.risk)}</td>
                          <td>
                            {s.flags} ({s.pendingFlags})
                          </td>
                          <td>{s.sessionId ? <Link to={`/review/sessions/${s.sessionId}`}>Review {s.name}’s attempt</Link> : '—'}</td>
                          <td>
                            <Link to={`?attempt=${s.attemptId}`} aria-current={s.attemptId === chosen?.attemptId ? 'true' : undefined}>
                              Place {s.name} in the class
                            </Link>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <Pager paging={paging} next={d.page.next} />
              </section>

              {chosen && (
                <section aria-labelledby="standing-heading">
                  <h2 id="standing-heading">Where {chosen.name} stands against the class</h2>
                  <div className="chart-grid">
                    {STANDING.map((m) => (
                      <StandingHistogram key={m.key} metric={m} distribution={d.class[m.key]} marked={{ name: chosen.name, ...chosen.standing[m.key] }} />
                    ))}
                  </div>
                </section>
              )}
            </>
          );
        }}
      </LoadState>
    </div>
  );
}
