import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { formatWhen } from './exam-field';

const FINISHED = new Set(['submitted', 'abandoned', 'timed_out', 'graded']);

const ATTEMPT_LABEL: Record<string, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  submitted: 'Submitted',
  abandoned: 'Abandoned',
  timed_out: 'Timed out',
  graded: 'Graded',
};

/**
 * The open exams of the student's classes still to take or finish, each with their attempt (one
 * request for the list, one per exam for its attempt); a finished attempt is under the results.
 */
async function loadMyExams() {
  const exams = (await unwrap(api.GET('/v1/exams', { params: { query: { limit: 100 } } }))).items;
  const all = await Promise.all(
    exams.map(async (exam) => {
      const attempts = await unwrap(api.GET('/v1/exams/{examId}/attempts', { params: { path: { examId: exam.id } } }));
      return { exam, attempt: attempts.items[0] ?? null };
    }),
  );
  return all.filter(({ attempt }) => !attempt || !FINISHED.has(attempt.state));
}

/** The student's attempts with their results (GET /v1/students/me/dashboard: a result only once the exam's results are released). */
const loadMyResults = async () => (await unwrap(api.GET('/v1/students/me/dashboard'))).attempts.filter((a) => FINISHED.has(a.state));

/**
 * /my/exams: the student's open exams and their attempts (start, continue, or what became of it), and
 * the results of their finished attempts, closed exams too: the score and whether they passed once the
 * teacher releases the results, and nothing before.
 */
export function MyExamsPage() {
  const [list] = useLoad(loadMyExams, 'mine');
  const [results] = useLoad(loadMyResults, 'results');
  return (
    <div className="page page-wide">
      <PageTitle>My exams</PageTitle>
      <h1>My exams</h1>
      <h2>Open now</h2>
      <LoadState state={list} what="your exams" isEmpty={(d) => d.length === 0} empty="No exam waits for you now.">
        {(d) => (
          <table className="table">
            <caption className="sr-only">My exams</caption>
            <thead>
              <tr>
                <th scope="col">Exam</th>
                <th scope="col">Closes</th>
                <th scope="col">Duration</th>
                <th scope="col">My attempt</th>
              </tr>
            </thead>
            <tbody>
              {d.map(({ exam, attempt }) => {
                const going = attempt?.state === 'in_progress';
                return (
                  <tr key={exam.id}>
                    <th scope="row">{exam.title}</th>
                    <td>{formatWhen(exam.closesAt)}</td>
                    <td>{exam.durationMinutes} min</td>
                    <td>
                      <Link to={`/my/exams/${exam.id}/take`} aria-label={`${going ? 'Continue' : 'Start'} ${exam.title}`}>
                        {going ? 'Continue' : 'Start'}
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </LoadState>
      <h2>My results</h2>
      <LoadState state={results} what="your results" isEmpty={(d) => d.length === 0} empty="You have no finished attempt yet.">
        {(d) => (
          <table className="table">
            <caption className="sr-only">My results</caption>
            <thead>
              <tr>
                <th scope="col">Exam</th>
                <th scope="col">My attempt</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {d.map((a) => (
                <tr key={a.id}>
                  <th scope="row">{a.examTitle}</th>
                  <td>
                    {ATTEMPT_LABEL[a.state] ?? a.state}
                    {a.finishedAt ? `, ${formatWhen(a.finishedAt)}` : ''}
                  </td>
                  <td>
                    {a.result
                      ? `${a.result.score} / ${a.result.maxScore}, ${a.result.passed ? 'passed' : 'not passed'} (pass mark ${a.result.passMark})`
                      : 'Not released yet: your teacher releases the results.'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadState>
    </div>
  );
}
