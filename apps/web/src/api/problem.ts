/** RFC 9457 problem details, as the server renders every error (`type: urn:veritas:problem:<code>`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
  /** `invalid-request`: each refused field, as `/body/<field>` and what is wrong with it. */
  errors?: { path: string; message: string }[];
  [key: string]: unknown;
}

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

const PREFIX = 'urn:veritas:problem:';

/**
 * An answer that was not a success, as a typed error: pages branch on `code` (stable), never on the
 * text, and show `message` (the problem's detail or title) to people.
 */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly code: ProblemCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.requestId = problem.requestId;
    this.code = problem.type.startsWith(PREFIX) ? problem.type.slice(PREFIX.length) : `http-${problem.status}`;
  }

  /** From an answer and its parsed body (a problem, other JSON, text or nothing: a proxy's 502 is not a problem). */
  static from(response: Response, body: unknown): ApiProblem {
    if (isProblem(body)) return new ApiProblem({ ...body, status: body.status || response.status });
    // A short plain-text answer says what went wrong; an HTML error page does not belong on ours.
    const text = typeof body === 'string' && body.length > 0 && body.length < 300 && !body.trimStart().startsWith('<') ? body : undefined;
    return new ApiProblem({
      type: 'about:blank',
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      ...(text ? { detail: text } : {}),
    });
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

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.type === 'string' && typeof b.title === 'string';
}
