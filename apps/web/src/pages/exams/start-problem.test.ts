import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../api/problem';
import { startProblem } from './exam-words';

const problem = (code: string, status: number) => new ApiProblem({ type: `urn:veritas:problem:${code}`, title: `t ${code}`, status });

describe('why an attempt could not start', () => {
  it('says the window and the deadline in the student’s words, and the server’s for the rest', () => {
    expect(startProblem(problem('exam-not-open', 409))).toMatch(/not open now/);
    expect(startProblem(problem('attempt-closed', 409))).toMatch(/time for this exam is over/);
    expect(startProblem(problem('consent-not-current', 409))).toMatch(/reload the page/);
    expect(startProblem(problem('forbidden', 403))).toBe('Could not start: 403 t forbidden.');
    expect(startProblem(new TypeError('fetch failed'))).toBe('Could not start: the server could not be reached.');
  });
});
