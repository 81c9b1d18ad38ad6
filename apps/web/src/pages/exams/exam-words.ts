import { ApiProblem } from '../../api/problem';
import { messageOf } from '../../components/load-state';

/** Why the attempt could not start or continue, in the student's words. */
export function startProblem(err: unknown): string {
  if (err instanceof ApiProblem && err.code === 'exam-not-open')
    return 'This exam is not open now: it can be taken only between its opening and closing times.';
  if (err instanceof ApiProblem && err.code === 'attempt-closed') return 'Your time for this exam is over: what was saved is kept.';
  return `Could not start: ${messageOf(err)}.`;
}
