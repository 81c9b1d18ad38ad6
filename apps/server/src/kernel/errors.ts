/**
 * Typed errors with stable codes. The one error handler renders them as application/problem+json
 * with `type: urn:veritas:problem:<code>`; clients branch on the type, never on the text.
 */
export const PROBLEMS = {
  'invalid-request': { status: 400, title: 'The request does not match its schema' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  'weak-password': { status: 400, title: 'The password does not meet the password policy' },
  'idempotency-key-invalid': { status: 400, title: 'The Idempotency-Key header must be 1 to 255 visible ASCII characters' },
  'invalid-event': { status: 400, title: 'An event does not match its type' },
  'note-required': { status: 400, title: 'This decision needs a note' },
  'role-mismatch': { status: 400, title: 'The person named does not have the role this needs' },
  'sso-issuer-invalid': { status: 400, title: 'The issuer is unreachable or is not an OpenID Connect provider' },
  'sso-state-invalid': { status: 400, title: 'This single sign-on is unknown, already used or expired; start signing in again' },
  'sso-refused': { status: 400, title: 'The identity provider’s answer was refused' },
  'invalid-bundle': { status: 400, title: 'The bundle is not a valid v1 bundle' },
  'hash-mismatch': { status: 400, title: 'The batch hash does not match its events' },
  'bad-mac': { status: 401, title: 'The batch MAC does not match the write key' },
  'missing-mac': { status: 401, title: 'The batch carries no MAC; every batch of a session with a write key must' },
  'missing-token': { status: 401, title: 'A write token is required' },
  'invalid-token': { status: 401, title: 'The write token is not valid for this session' },
  unauthenticated: { status: 401, title: 'This needs a signed-in person or an API key' },
  'token-expired': { status: 401, title: 'The access token has expired; refresh it' },
  'invalid-credential': { status: 401, title: 'The credential is not valid' },
  'invalid-login': { status: 401, title: 'The email address or the password is wrong' },
  'refresh-reused': { status: 401, title: 'The refresh token was already used; its whole sign-in is revoked' },
  'public-sessions-disabled': { status: 403, title: 'This server does not accept anonymous sessions' },
  forbidden: { status: 403, title: 'Your role does not allow this' },
  'insufficient-scope': { status: 403, title: 'The API key lacks the scope this needs' },
  'csrf-refused': { status: 403, title: 'The request lacks its CSRF token' },
  'wrong-password': { status: 403, title: 'The current password is wrong' },
  'sso-no-account': { status: 403, title: 'No account of this institution matches this identity' },
  'account-disabled': { status: 403, title: 'This account is disabled' },
  'outside-share-scope': { status: 403, title: 'This share link does not open this part of the session' },
  'link-invalid': { status: 410, title: 'The link is unknown, used, revoked or expired' },
  'not-found': { status: 404, title: 'Not found' },
  'certificate-not-issued': { status: 404, title: 'No certificate yet: one is issued when the session has ended and its analysis is done' },
  'sso-not-configured': { status: 404, title: 'This institution has no single sign-on' },
  'request-timeout': { status: 408, title: 'The request was not received in time' },
  'session-ended': { status: 409, title: 'The session has ended and takes no more events' },
  'seq-conflict': { status: 409, title: 'The batch reuses stored sequence numbers with different content' },
  'broken-chain': { status: 409, title: 'The batch does not link to the stored chain' },
  'seq-gap-too-large': { status: 409, title: 'The batch is too far ahead of the stored sequence' },
  'legal-hold': { status: 409, title: 'A legal hold covers this data: it cannot be erased until the hold is lifted' },
  'person-owns-resources': { status: 409, title: 'The person teaches classes or owns exams: hand them to someone else first' },
  'session-not-ended': { status: 409, title: 'The session has not ended: its data is exported once it has' },
  'session-exists': { status: 409, title: 'A different session with this id is already stored' },
  'invalid-transition': { status: 409, title: 'The flag’s state does not allow this decision' },
  'second-reviewer-required': { status: 409, title: 'A high flag needs a second reviewer, different from the first' },
  'answer-limit': { status: 409, title: 'This flag already has as many answers as it takes' },
  'attempt-closed': { status: 409, title: 'The attempt is closed (past its deadline, submitted, abandoned or timed out) and takes no more events' },
  'attempt-transition': { status: 409, title: 'The attempt cannot make this move from its current state' },
  'exam-not-open': { status: 409, title: 'The exam is not open for attempts now' },
  'idempotency-in-flight': { status: 409, title: 'A request with this Idempotency-Key is still being answered; retry shortly' },
  conflict: { status: 409, title: 'The request conflicts with what is stored' },
  'body-too-large': { status: 413, title: 'The body is larger than this route accepts' },
  'uri-too-long': { status: 414, title: 'A path segment is longer than this server accepts' },
  'idempotency-key-reused': { status: 422, title: 'This Idempotency-Key was used for a different request' },
  'unsupported-media-type': { status: 415, title: 'The body must be application/json' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'The request headers are larger than this server accepts' },
  internal: { status: 500, title: 'Internal error' },
  'sso-provider-unavailable': { status: 502, title: 'The identity provider cannot be reached; retry later' },
  'database-unavailable': { status: 503, title: 'The database is unavailable; retry later' },
  'storage-unavailable': { status: 503, title: 'The file store is unavailable; retry later' },
  // docs/adr/0024-server-sealed-sessions.md
  'sealing-mismatch': { status: 400, title: 'The batch is not sealed the way its session was declared (client-sealed or server-sealed)' },
  'seq-gap-unsealed': { status: 409, title: 'An unsealed batch must start where the stored chain ends; send the batches one at a time, in order' },
  'webhook-url-refused': {
    status: 400,
    title: 'The webhook URL is refused (not http(s), credentials in it, or a non-public address this server does not reach)',
  },
  'webhook-endpoint-limit': { status: 409, title: 'The institution already has as many webhook endpoints as it may' },
  // docs/adr/0029-subject-access-and-consent.md
  'consent-required': {
    status: 403,
    title: 'The institution requires consent before a session records: the person has not agreed to its current consent text',
  },
  'consent-not-current': { status: 409, title: 'This is not the current version of the consent text; read the current one and agree to it' },
  'export-not-ready': { status: 409, title: 'The archive is not built yet; follow its progress and download it once done' },
  'export-token-invalid': { status: 403, title: 'The download token does not match this archive' },
  // docs/adr/0028-lti-with-jose.md
  'lti-launch-refused': { status: 400, title: 'The LTI launch was refused: its id token or claims do not hold' },
  'lti-state-invalid': { status: 400, title: 'This LTI launch is unknown, already used or expired; launch again from the LMS' },
  'lti-not-registered': { status: 404, title: 'No LTI registration of this platform' },
  'lti-registration-invalid': { status: 400, title: 'The LTI registration is not usable' },
  'lti-platform-unavailable': { status: 502, title: 'The LMS could not be reached; retry later' },
  'lti-deep-link-invalid': { status: 400, title: 'This deep-linking request is unknown, already answered or expired; start again from the LMS' },
  // docs/adr/0030-stored-files-and-download-links.md
  'report-not-ready': { status: 409, title: 'The report is made once the analysis is done; ask again shortly' },
  // docs/adr/0027-retention-and-legal-holds.md (amendment: the audit's own retention)
  'retention-policy-invalid': { status: 400, title: 'The audit trail must be kept at least as long as the raw data and the analyses it records' },
  // docs/adr/0028-lti-with-jose.md, amendment "Grades and rosters"
  'lti-roster-unavailable': { status: 409, title: 'This class is not an LMS course whose launches named a roster service (NRPS)' },
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

export const problemType = (code: string) => `urn:veritas:problem:${code}`;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? PROBLEMS[code].title);
    this.status = PROBLEMS[code].status;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  [key: string]: unknown;
}

export function toProblem(err: AppError, requestId?: string): Problem {
  const p: Problem = { type: problemType(err.code), title: PROBLEMS[err.code].title, status: err.status, detail: err.message, ...err.extra };
  if (requestId) p.requestId = requestId;
  return p;
}
