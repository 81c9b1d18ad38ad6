/** RFC 9457 problem details, as the Veritas server renders every error (`type: urn:veritas:problem:<code>`). */
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

const PREFIX = 'urn:veritas:problem:';

/**
 * An answer that was not a success, thrown by the client: branch on `code` (stable, the end of the
 * problem's type URN), never on the text; `message` is the problem's detail or title. A non-problem
 * answer (a proxy's 502 page) gets `code: "http-<status>"`.
 */
export class VeritasProblem extends Error {
  override readonly name: string = 'VeritasProblem';
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  /** Seconds, from a 429 or 503 answer's Retry-After header, when it had one. */
  readonly retryAfter: number | undefined;
  readonly problem: Problem;

  constructor(problem: Problem, retryAfter?: number) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.requestId = problem.requestId;
    this.retryAfter = retryAfter;
    this.code = problem.type.startsWith(PREFIX) ? problem.type.slice(PREFIX.length) : `http-${problem.status}`;
  }

  /** Reads a failed answer (its body is consumed from a clone, so the answer stays readable). */
  static async fromResponse(response: Response): Promise<VeritasProblem> {
    const text = await response
      .clone()
      .text()
      .catch(() => '');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the text itself (a proxy's page, a plain message)
    }
    return new VeritasProblem(problemOf(response, body), retryAfterOf(response));
  }
}

/**
 * The problem an answer stands for, from its body as read (parsed JSON, text or nothing): the body
 * itself when it is a problem; otherwise one made of the status, with a short plain-text answer as its
 * detail (an HTML error page is not worth repeating).
 */
export function problemOf(response: Response, body: unknown): Problem {
  if (isProblem(body)) return { ...body, status: body.status || response.status };
  const detail = typeof body === 'string' && body.length > 0 && body.length < 300 && !body.trimStart().startsWith('<') ? body : undefined;
  return { type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status, ...(detail ? { detail } : {}) };
}

/** Seconds, from a Retry-After header of whole seconds, when the answer has one. */
export function retryAfterOf(response: Response): number | undefined {
  if (!response.headers.has('Retry-After')) return undefined;
  const retry = Number(response.headers.get('Retry-After'));
  return Number.isFinite(retry) && retry >= 0 ? retry : undefined;
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.type === 'string' && typeof b.title === 'string' && (b.status === undefined || typeof b.status === 'number');
}
