import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { LoadState, useLoad } from '../../components/load-state';
import { PageTitle } from '../../components/page-title';
import { formatWhen } from './exam-field';

const ATTEMPT_LABEL: Record<string, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  submitted: 'Submitted',
  abandoned: 'Abandoned',
  timed_out: 'Timed out',
  graded: 'Graded',
};

/** The open exams of the student's classes, each with their attempt (one request for the list, one per exam for its attempt). */
async function loadMyExams() {
  const exams = (await unwrap(api.GET('/v1/exams', { params: { query: { limit: 100 } } }))).items;
  return Promise.all(
    exams.map(async (exam) => {
      const attempts = await unwrap(api.GET('/v1/exams/{examId}/attempts', { params: { path: { examId: exam.id } } }));
      return { exam, attempt: attempts.items[0] ?? null };
    }),
  );
}

/** /my/exams: the student's open exams and their attempts: start, continue, or what became of it. */
export function MyExamsPage() {
  const [list] = useLoad(loadMyExams, 'mine');
  return (
    <div className="page page-wide">
      <PageTitle>My exams</PageTitle>
      <h1>My exams</h1>
      <LoadState state={list} what="your exams" isEmpty={(d) => d.length === 0} empty="No exam is open for you now.">
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
                const state = attempt?.state ?? 'not_started';
                const canTake = state === 'not_started' || state === 'in_progress';
                return (
                  <tr key={exam.id}>
                    <th scope="row">{exam.title}</th>
                    <td>{formatWhen(exam.closesAt)}</td>
                    <td>{exam.durationMinutes} min</td>
                    <td>
                      {canTake ? (
                        <Link to={`/my/exams/${exam.id}/take`} aria-label={`${state === 'in_progress' ? 'Continue' : 'Start'} ${exam.title}`}>
                          {state === 'in_progress' ? 'Continue' : 'Start'}
                        </Link>
                      ) : (
                        <>
                          {ATTEMPT_LABEL[state] ?? state}
                          {attempt?.result && ` · ${attempt.result.score} / ${attempt.result.maxScore} (${attempt.result.passed ? 'passed' : 'not passed'})`}
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </LoadState>
    </div>
  );
}
