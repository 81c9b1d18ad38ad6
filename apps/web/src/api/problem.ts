import { VeritasProblem, problemOf, retryAfterOf, type Problem } from '@veritas/client';

export type { Problem };

/** The codes the web app branches on (the server's kernel/errors.ts holds them all). */
export type KnownProblemCode =
  | 'invalid-request'
  | 'unauthenticated'
  | 'token-expired'
  | 'invalid-login'
  | 'wrong-password'
  | 'weak-password'
  | 'refresh-reused'
  | 'csrf-refused'
  | 'forbidden'
  | 'link-invalid'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'database-unavailable'
  | 'note-required'
  | 'invalid-transition'
  | 'second-reviewer-required'
  | 'answer-limit'
  | 'exam-not-open'
  | 'attempt-closed'
  | 'attempt-transition';

/** A known code, or any other the server may add (branch on the known ones, show the text for the rest). */
export type ProblemCode = KnownProblemCode | (string & {});

/**
 * The client package's problem (`VeritasProblem`: `code`, `status`, `message`, `requestId`,
 * `retryAfter`) with what pages need on top: the codes they branch on typed, a summary line, and a
 * form's field errors.
 */
export class ApiProblem extends VeritasProblem {
  override readonly name: string = 'ApiProblem';
  declare readonly code: ProblemCode;

  /** From an answer and its body as openapi-fetch parsed it (a problem, other JSON, text or nothing: a proxy's 502 is not a problem). */
  static from(response: Response, body: unknown): ApiProblem {
    return new ApiProblem(problemOf(response, body), retryAfterOf(response));
  }

  /** "404 Session not found": the status and what went wrong, for a message on the page. */
  get summary(): string {
    return `${this.status} ${this.message}`;
  }

  /** `invalid-request`: the message for each refused body field, by field name (for a form's errors). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const field = /^\/body\/([^/]+)/.exec(e.path)?.[1];
      if (field && !(field in out)) out[field] = e.message;
    }
    return out;
  }
}
