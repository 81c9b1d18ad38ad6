import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import type { paths } from '../../api/schema';
import { Field } from '../../components/field';
import { messageOf } from '../../components/load-state';
import { TextAreaField } from './text-area-field';
import { when } from './review-words';

export type AttemptView = paths['/v1/attempts/{attemptId}']['get']['responses'][200]['content']['application/json'];
export type ExamView = paths['/v1/exams/{examId}']['get']['responses'][200]['content']['application/json'];

/** The moves after which an attempt can be scored (the server's table, attempt-machine.ts). */
const GRADABLE = new Set(['submitted', 'abandoned', 'timed_out', 'graded']);
const FEEDBACK_MAX = 2000;

/**
 * The attempt's score and the exam's results release, for the exam's teachers: the score (0 to the
 * exam's max, feedback optional; scoring again regrades) and whether students see their results.
 */
export function AttemptScore({ attempt, exam, onChanged }: { attempt: AttemptView; exam: ExamView; onChanged: (said: string) => void }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [alert, setAlert] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const result = attempt.result;
  const gradable = GRADABLE.has(attempt.state);

  const send = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const score = Number(form.get('score'));
    const feedback = String(form.get('feedback') ?? '').trim();
    setErrors({});
    setAlert(null);
    setBusy(true);
    try {
      await unwrap(
        api.PUT('/v1/attempts/{attemptId}/score', { params: { path: { attemptId: attempt.id } }, body: { score, ...(feedback ? { feedback } : {}) } }),
      );
      onChanged(`Scored ${score} of ${exam.maxScore}.`);
    } catch (err) {
      const fields = err instanceof ApiProblem && err.code === 'invalid-request' ? err.fieldErrors() : {};
      if (Object.keys(fields).length > 0) setErrors(fields);
      else setAlert(`Not scored: ${messageOf(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="score" className="card">
      <h2 id="score">Score and results</h2>
      <dl className="facts">
        <dt>Score</dt>
        <dd data-testid="attempt-score">
          {result
            ? `${result.score} of ${result.maxScore}, ${result.passed ? 'passed' : 'not passed'} (pass mark ${exam.passMark}), scored ${when(result.gradedAt)}`
            : 'Not scored yet.'}
        </dd>
        {result?.feedback && (
          <>
            <dt>Feedback</dt>
            <dd>{result.feedback}</dd>
          </>
        )}
      </dl>
      {gradable ? (
        <Form onSubmit={(e) => void send(e)} validationErrors={errors} aria-label="Score the attempt">
          {alert && (
            <p role="alert" className="form-alert">
              {alert}
            </p>
          )}
          <Field
            name="score"
            label={`Score (0 to ${exam.maxScore})`}
            type="text"
            inputMode="decimal"
            isRequired
            defaultValue={result ? String(result.score) : ''}
            validate={(v) => {
              const n = Number(v);
              return v.trim() === '' || !Number.isFinite(n) || n < 0 || n > exam.maxScore ? `A number from 0 to ${exam.maxScore}.` : null;
            }}
          />
          <TextAreaField name="feedback" label="Feedback to the student (optional)" maxLength={FEEDBACK_MAX} defaultValue={result?.feedback ?? ''} />
          <Button type="submit" className="btn btn-primary" isPending={busy}>
            {result ? 'Change the score' : 'Save the score'}
          </Button>
        </Form>
      ) : (
        <p className="muted">The attempt can be scored once it is submitted, abandoned or timed out.</p>
      )}
      <ResultsRelease exam={exam} onChanged={onChanged} />
    </section>
  );
}

/** Students see their scores only once the exam's results are released (PATCH /v1/exams/{id}). */
function ResultsRelease({ exam, onChanged }: { exam: ExamView; onChanged: (said: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const released = exam.resultsReleasedAt !== null;
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.PATCH('/v1/exams/{examId}', { params: { path: { examId: exam.id } }, body: { resultsReleased: !released } }));
      onChanged(released ? 'The results are withdrawn: students no longer see their scores.' : 'The results are released to the students.');
    } catch (err) {
      setError(`Not changed: ${messageOf(err)}.`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h3>Results of the exam</h3>
      <p data-testid="results-release">
        {released
          ? `Released to the students ${when(exam.resultsReleasedAt!)}: each sees their score and whether they passed.`
          : 'Not released: students do not see their scores.'}
      </p>
      <Button className="btn" isPending={busy} onPress={() => void toggle()}>
        {released ? 'Withdraw the results' : 'Release the results to students'}
      </Button>
      {error && (
        <p role="alert" className="form-alert">
          {error}
        </p>
      )}
    </>
  );
}
