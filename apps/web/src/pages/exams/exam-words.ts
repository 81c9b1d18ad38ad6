import { ApiProblem } from '../../api/problem';
import { messageOf } from '../../components/load-state';

/** Why the attempt could not start or continue, in the student's words. */
export function startProblem(err: unknown): string {
  if (err instanceof ApiProblem && err.code === 'exam-not-open')
    return 'This exam is not open now: it can be taken only between its opening and closing times.';
  if (err instanceof ApiProblem && err.code === 'attempt-closed') return 'Your time for this exam is over: what was saved is kept.';
  if (err instanceof ApiProblem && err.code === 'consent-not-current')
    return 'Your institution changed its consent text since this page opened: reload the page to read the new version.';
  return `Could not start: ${messageOf(err)}.`;
}
