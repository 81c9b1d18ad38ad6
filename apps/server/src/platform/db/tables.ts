import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Table interfaces: the Kysely view of the schema the migrations create. */

export interface SessionsTable {
  id: string;
  tenant_id: string | null;
  /** The user (a student) or API key (a partner) that created it; null for anonymous sessions. */
  owner_id: string | null;
  owner_kind: ColumnType<'user' | 'api-key' | null, 'user' | 'api-key' | null | undefined, never>;
  kind: string;
  status: 'active' | 'ended';
  /** 'live' (recorded through ingest), 'upload' (a bundle), 'demo' (seeded demo data). */
  source: string;
  /** SHA-256 of the write token: authenticates it and keys the batch MAC. Null once nothing may write. */
  write_key: string | null;
  meta: ColumnType<Record<string, unknown>, string, string>;
  /** `{ thresholds?, acceptHostSignals? }` for this session's analysis, set at creation. */
  analysis_settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The next seq expected: everything below it is stored, contiguous. */
  next_seq: Generated<number>;
  /** Hash of the last stored batch: the prevHash the next batch must carry. */
  head_hash: string;
  last_t: Generated<number>;
  /** 0028_held_count: how many of its batches wait in held_batches, kept by a trigger there (ingest reads them only when above zero). */
  held_count: ColumnType<number, never, never>;
  /** 0006_exams: an attempt's session takes no batch from this moment, nor once ended (ingest answers attempt-closed). */
  closes_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** 0014_session_sealing: who seals its batches, declared at creation, never changed (docs/adr/0024). */
  sealing: ColumnType<'client' | 'server', 'client' | 'server' | undefined, never>;
}

export interface BatchesTable {
  session_id: string;
  first_seq: number;
  count: number;
  prev_hash: string;
  hash: string;
  mac: string | null;
  received_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface EventsTable {
  session_id: string;
  seq: number;
  t: number;
  type: string;
  data: ColumnType<unknown, string, never>;
}

/** Batches that arrived ahead of a gap, kept durably until the gap fills: a batch with its events. */
export interface HeldBatchesTable extends BatchesTable {
  events: ColumnType<unknown[], string, never>;
}

/** The embedded job runner's queue (jobs/embedded-job-queue.ts). */
export interface JobsTable {
  id: string;
  name: string;
  /** Idempotency key: (name, key) is unique. */
  key: string | null;
  data: ColumnType<unknown, string, never>;
  /** queued (first run or a retry waiting for run_at), running, done, failed (parked). */
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: Generated<number>;
  max_attempts: number;
  run_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** While running: the run is presumed dead after this (its visibility timeout). */
  locked_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Names the current run, so a run taken over cannot settle the job. */
  lock_token: string | null;
  last_error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** The whole analysis of an ended session (an AnalysisResult of @veritas/analysis). */
export interface AnalysesTable {
  session_id: string;
  tenant_id: string | null;
  result: ColumnType<unknown, string, string>;
  /** The analysis format (ANALYSIS_FORMAT) that produced the result. */
  version: string;
  analyzed_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Live alerts raised by the incremental analyser as events are ingested. */
export interface AlertsTable {
  id: string;
  session_id: string;
  tenant_id: string | null;
  detector: string;
  severity: string;
  message: string;
  /** evidence.seqFrom, kept as a column for the (session, detector, seqFrom) uniqueness. */
  seq_from: number;
  evidence: ColumnType<unknown, string, never>;
  values: ColumnType<unknown, string, never>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Moment = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  host_signals: ColumnType<'accept' | 'refuse', 'accept' | 'refuse' | undefined, 'accept' | 'refuse'>;
  /** Origins allowed to call the recorder's routes for this tenant's sessions (CORS); JSON array. */
  cors_origins: ColumnType<string[], string | undefined, string>;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  display_name: string;
  role: 'admin' | 'teacher' | 'observer' | 'student';
  password_hash: string | null;
  oidc_subject: string | null;
  enrollment_id: string | null;
  department: string | null;
  status: ColumnType<'active' | 'disabled', 'active' | 'disabled' | undefined, 'active' | 'disabled'>;
  created_at: CreatedAt;
  last_sign_in_at: Moment;
}

export interface ClassesTable {
  id: string;
  tenant_id: string;
  name: string;
  teacher_id: string;
  created_at: CreatedAt;
}

export interface ClassMembersTable {
  class_id: string;
  user_id: string;
  tenant_id: string;
}

export interface ObserverLinksTable {
  tenant_id: string;
  observer_id: string;
  teacher_id: string;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: Json<string[]>;
  created_by: string | null;
  created_at: CreatedAt;
  last_used_at: Moment;
  revoked_at: Moment;
}

export interface RefreshTokensTable {
  id: string;
  tenant_id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  auth_method: string;
  created_at: CreatedAt;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: Moment;
  revoked_at: Moment;
}

export interface OneTimeLinksTable {
  id: string;
  tenant_id: string;
  kind: 'invitation' | 'password-reset';
  email: string;
  role: string | null;
  user_id: string | null;
  token_hash: string;
  created_by: string | null;
  created_at: CreatedAt;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: Moment;
  revoked_at: Moment;
  /** 0005_auth: the name an invitation was made with, if any. */
  display_name: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: Json<Record<string, unknown>>;
  public_jwk: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  retired_at: Moment;
}

export interface CertificateKeysTable {
  kid: string;
  alg: string;
  public_jwk: Json<Record<string, unknown>>;
  private_jwk: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  /** `generated` (kept here) or `file` (VERITAS_CERTIFICATE_KEY_FILE; only its public part here). */
  source: string;
  created_at: CreatedAt;
  retired_at: Moment;
}

export interface CertificatesTable {
  id: string;
  /** Null once the session is deleted (the row stays for the revocation list). */
  session_id: string | null;
  tenant_id: string | null;
  analysis_version: string;
  analysis_digest: string;
  kid: string;
  jws: string;
  issued_at: Date;
  revoked_at: Moment;
  revoked_by: string | null;
  revoke_reason: string | null;
}

export interface OidcProvidersTable {
  tenant_id: string;
  issuer: string;
  client_id: string;
  client_secret: string | null;
  scopes: ColumnType<string, string | undefined, string>;
  create_users: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface OidcLoginsTable {
  state: string;
  tenant_id: string;
  nonce: string;
  code_verifier: string;
  return_to: string | null;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

/** 0019_retention: a tenant's retention policy; null days keep that data. */
export interface RetentionPoliciesTable {
  tenant_id: string;
  raw_days: number | null;
  analysis_days: number | null;
  /** Days audit entries are kept after they were written; null keeps them (schema step 0025). */
  audit_days: ColumnType<number | null, number | null | undefined, number | null>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string | null;
}

export interface LegalHoldsTable {
  id: string;
  tenant_id: string;
  subject_kind: 'session' | 'attempt' | 'person';
  subject_id: string;
  reason: string;
  created_by: string;
  created_at: CreatedAt;
  lifted_by: string | null;
  lifted_at: Moment;
}

export interface RetentionTombstonesTable {
  id: string;
  tenant_id: string;
  session_id: string;
  what: 'raw' | 'analysis';
  rows: number;
  head_hash: string | null;
  policy_days: number;
  purged_at: CreatedAt;
}

export interface ShareLinksTable {
  id: string;
  session_id: string;
  tenant_id: string | null;
  token_hash: string;
  created_by: string | null;
  created_at: CreatedAt;
  expires_at: Moment;
  revoked_at: Moment;
  last_used_at: Moment;
  /** What the link opens (schema step 0017): the replay, the report or both. */
  scope: ColumnType<ShareScope, ShareScope | undefined, never>;
}

/** What a share link opens (schema step 0017). */
export type ShareScope = 'replay' | 'report' | 'both';

export interface LiveTicketsTable {
  token_hash: string;
  session_id: string;
  tenant_id: string | null;
  actor_kind: 'user' | 'api-key' | 'session-reader';
  actor_id: string | null;
  auth_method: string | null;
  created_at: CreatedAt;
  expires_at: Date;
}

export interface IdempotencyRecordsTable {
  lookup_hash: string;
  tenant_id: string | null;
  fingerprint: string;
  status: number | null;
  content_type: string | null;
  sealed_answer: string | null;
  created_at: CreatedAt;
  claimed_at: Date;
  expires_at: Date;
}

export interface AuditHeadsTable {
  chain: string;
  seq: ColumnType<string, string | number, string | number>;
  hash: string;
}

/**
 * Where a tenant's audit chain starts once retention cut its oldest entries (schema step 0025): the
 * seq and hash of the last entry deleted, which the first kept entry links to.
 */
export interface AuditAnchorsTable {
  chain: string;
  seq: ColumnType<string, string | number, string | number>;
  hash: string;
  cut_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Append-only: nothing updates a row, and only the audit retention deletes, the oldest first behind an anchor (audit_anchors); the hash chain shows anything else. */
export interface AuditLogTable {
  id: string;
  chain: string;
  /** bigint: PostgreSQL returns it as a string. */
  seq: ColumnType<string, string | number, never>;
  tenant_id: string | null;
  at: ColumnType<Date, Date | string, never>;
  actor_kind: string;
  actor_id: string | null;
  auth_method: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  ip: string | null;
  request_id: string | null;
  detail: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: string;
  hash: string;
}

/**
 * 0027: audit entries recorded in a write's transaction, not yet numbered and linked into their chain
 * (audit_log). The linker moves them there in the order of `n`, soon after their commit.
 */
export type AuditPendingTable = Omit<AuditLogTable, 'seq' | 'prev_hash' | 'hash'> & { n: Generated<string> };

export type ReviewState = 'open' | 'awaiting_second_review' | 'confirmed' | 'dismissed' | 'escalated';

/** 0007_review: one flag to review per (session, detector), consolidating its raised flags and alerts. */
export interface ReviewFlagsTable {
  id: string;
  tenant_id: string;
  session_id: string;
  /** The detector (e.g. several-faces, paste-share). */
  kind: string;
  /** The highest severity of its occurrences, and its rank (low 1, medium 2, high 3) for sorting. */
  severity: string;
  severity_rank: number;
  state: ColumnType<ReviewState, ReviewState | undefined, ReviewState>;
  message: string;
  occurrences: ColumnType<number, number | undefined, number>;
  /** Session time (ms) of the first and last occurrence. */
  first_t: ColumnType<number, number | undefined, number>;
  last_t: ColumnType<number, number | undefined, number>;
  /** A high flag awaiting its second reviewer: who confirmed it first. */
  first_confirmed_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Occurrences or severity grew after a decision: back in the queue, the state unchanged. */
  changed_since_decision: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, Date | string, never>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
}

/** One stretch of the session behind a review flag (a raised flag or a live alert), once per seqFrom. */
export interface ReviewOccurrencesTable {
  flag_id: string;
  tenant_id: string;
  seq_from: number;
  seq_to: number;
  t_from: number;
  t_to: number;
  severity: string;
  severity_rank: number;
  message: string;
  evidence: ColumnType<unknown, string, string>;
  values: ColumnType<unknown, string, string>;
  /** 'alert' (live) or 'analysis' (the whole analysis); the analysis's wording wins. */
  source: string;
  created_at: CreatedAt;
}

/** A reviewer's decision on a flag: append-only. */
export interface ReviewDecisionsTable {
  id: string;
  tenant_id: string;
  flag_id: string;
  reviewer_id: string;
  reviewer_role: string;
  decision: string;
  from_state: string;
  to_state: string;
  /** For the reviewers (required to confirm and escalate). */
  note: string | null;
  /** Shown to the student the flag is about. */
  note_to_student: string | null;
  /** What the decision was made on. */
  severity: string;
  occurrences: number;
  created_at: ColumnType<Date, Date | string, never>;
}

/** The student's answer to a flag about them (an explanation or an appeal): append-only. */
export interface ReviewAnswersTable {
  id: string;
  tenant_id: string;
  flag_id: string;
  author_id: string;
  kind: 'explanation' | 'appeal';
  text: string;
  created_at: ColumnType<Date, Date | string, never>;
}

export interface ExamsTable {
  id: string;
  tenant_id: string;
  owner_id: string;
  title: string;
  subject: string;
  instructions: string;
  kind: string;
  max_score: number;
  pass_mark: number;
  duration_minutes: number;
  opens_at: ColumnType<Date, Date | string, Date | string>;
  closes_at: ColumnType<Date, Date | string, Date | string>;
  settings: Json<Record<string, unknown>>;
  results_released_at: Moment;
  archived_at: Moment;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ExamClassesTable {
  exam_id: string;
  class_id: string;
  tenant_id: string;
}

export interface ExamCoTeachersTable {
  exam_id: string;
  user_id: string;
  tenant_id: string;
}

export interface AttemptsTable {
  id: string;
  tenant_id: string;
  exam_id: string;
  student_id: string;
  session_id: string | null;
  state: 'not_started' | 'in_progress' | 'submitted' | 'abandoned' | 'timed_out' | 'graded';
  started_at: Moment;
  deadline_at: Moment;
  finished_at: Moment;
  graded_at: Moment;
  score: number | null;
  feedback: string | null;
  graded_by_kind: string | null;
  graded_by_id: string | null;
  created_at: CreatedAt;
}

/** Analyses a partner computed elsewhere for an attempt, kept apart from Veritas's own. */
export interface AttemptExternalAnalysesTable {
  id: string;
  tenant_id: string;
  attempt_id: string;
  source: string;
  key_id: string;
  result: Json<Record<string, unknown>>;
  received_at: CreatedAt;
}

/**
 * Dashboard aggregates (schema step 0011, ADR 0018), written only by the database's triggers: one row
 * per attempt with its analysis headline and flag counts, and per exam and per student the sums of those rows.
 */
export interface DashboardAttemptsTable {
  attempt_id: string;
  tenant_id: string;
  exam_id: string;
  student_id: string;
  session_id: string | null;
  state: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  score: number | null;
  max_score: number;
  pass_mark: number;
  released: boolean;
  analysed: boolean;
  risk: string | null;
  integrity: number | null;
  verdict: string | null;
  active_ms: number | null;
  pauses: number | null;
  revisions: number | null;
  paste_share: number | null;
  flags: number;
  pending: number;
  pending_rank: number;
}

export interface DashboardExamsTable {
  exam_id: string;
  tenant_id: string;
  attempts: number;
  in_progress: number;
  finished: number;
  graded: number;
  scored: number;
  score_sum: number;
  passed: number;
  integrity_n: number;
  integrity_sum: number;
  risk_low: number;
  risk_medium: number;
  risk_high: number;
  not_enough_data: number;
  flagged: number;
  pending_flags: number;
  /** New on every change to one of the exam's dashboard_attempts rows (schema step 0022). */
  version: Generated<string>;
}

export interface DashboardStudentsTable {
  tenant_id: string;
  student_id: string;
  total: number;
  released: number;
  passed: number;
  percent_sum: number;
}

/** 0018_lti: a tenant's LMS registrations (LTI 1.3), the tool's keys, logins in flight, linked LMS users and courses. */
export interface LtiRegistrationsTable {
  id: string;
  tenant_id: string;
  name: string;
  issuer: string;
  client_id: string;
  deployment_ids: Json<string[]>;
  jwks_url: string;
  auth_endpoint: string;
  token_endpoint: string;
  frame_origins: Json<string[]>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface LtiToolKeysTable {
  kid: string;
  private_jwk: Json<Record<string, unknown>>;
  public_jwk: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  retired_at: Moment;
}

export interface LtiLoginsTable {
  state: string;
  tenant_id: string;
  registration_id: string;
  nonce: string;
  target_link_uri: string | null;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export interface LtiAccountsTable {
  registration_id: string;
  sub: string;
  tenant_id: string;
  user_id: string;
  created_at: CreatedAt;
}

export interface LtiContextsTable {
  registration_id: string;
  context_id: string;
  tenant_id: string;
  class_id: string;
  created_at: CreatedAt;
}

/** 0024_lti_deep_links: a deep-linking request in flight (LTI Deep Linking 2.0), single use. */
export interface LtiDeepLinksTable {
  token_hash: string;
  tenant_id: string;
  registration_id: string;
  user_id: string;
  deployment_id: string;
  return_url: string;
  data: string | null;
  accept_lineitem: ColumnType<boolean, boolean | undefined, boolean>;
  title: string | null;
  class_id: string | null;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: Moment;
  created_at: CreatedAt;
}

/** 0023_lti_services: resource links with their AGS and NRPS endpoints, and the LMS user of each person at a link. */
export interface LtiLinksTable {
  id: string;
  tenant_id: string;
  registration_id: string;
  deployment_id: string;
  context_id: string | null;
  resource_link_id: string;
  exam_id: string | null;
  ags_scopes: Json<string[]>;
  ags_lineitems: string | null;
  ags_lineitem: string | null;
  nrps_url: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface LtiGradeLinksTable {
  link_id: string;
  user_id: string;
  tenant_id: string;
  sub: string;
  sent_timestamp: Moment;
  created_at: CreatedAt;
}

export interface DB {
  lti_registrations: LtiRegistrationsTable;
  lti_tool_keys: LtiToolKeysTable;
  lti_logins: LtiLoginsTable;
  lti_accounts: LtiAccountsTable;
  lti_contexts: LtiContextsTable;
  lti_deep_links: LtiDeepLinksTable;
  exams: ExamsTable;
  exam_classes: ExamClassesTable;
  exam_co_teachers: ExamCoTeachersTable;
  attempts: AttemptsTable;
  attempt_external_analyses: AttemptExternalAnalysesTable;
  tenants: TenantsTable;
  users: UsersTable;
  classes: ClassesTable;
  class_members: ClassMembersTable;
  observer_links: ObserverLinksTable;
  api_keys: ApiKeysTable;
  refresh_tokens: RefreshTokensTable;
  one_time_links: OneTimeLinksTable;
  signing_keys: SigningKeysTable;
  oidc_providers: OidcProvidersTable;
  oidc_logins: OidcLoginsTable;
  share_links: ShareLinksTable;
  retention_policies: RetentionPoliciesTable;
  legal_holds: LegalHoldsTable;
  retention_tombstones: RetentionTombstonesTable;
  consent_texts: ConsentTextsTable;
  consent_settings: ConsentSettingsTable;
  consent_agreements: ConsentAgreementsTable;
  subject_exports: SubjectExportsTable;
  live_tickets: LiveTicketsTable;
  idempotency_records: IdempotencyRecordsTable;
  audit_heads: AuditHeadsTable;
  audit_log: AuditLogTable;
  audit_pending: AuditPendingTable;
  audit_anchors: AuditAnchorsTable;
  sessions: SessionsTable;
  batches: BatchesTable;
  events: EventsTable;
  held_batches: HeldBatchesTable;
  jobs: JobsTable;
  analyses: AnalysesTable;
  alerts: AlertsTable;
  certificate_keys: CertificateKeysTable;
  certificates: CertificatesTable;
  review_flags: ReviewFlagsTable;
  review_occurrences: ReviewOccurrencesTable;
  review_decisions: ReviewDecisionsTable;
  review_answers: ReviewAnswersTable;
  dashboard_attempts: DashboardAttemptsTable;
  dashboard_exams: DashboardExamsTable;
  dashboard_students: DashboardStudentsTable;
  lti_links: LtiLinksTable;
  lti_grade_links: LtiGradeLinksTable;
}

export type SessionRow = Selectable<SessionsTable>;
export type NewSession = Insertable<SessionsTable>;
export type SessionUpdate = Updateable<SessionsTable>;

/** 0020_privacy: consent texts per tenant and version, the requirement, agreements, subject-access exports. */
export interface ConsentTextsTable {
  id: string;
  tenant_id: string;
  version: number;
  title: string;
  body: string;
  created_by: string;
  created_at: CreatedAt;
}
export interface ConsentSettingsTable {
  tenant_id: string;
  required: boolean;
  updated_by: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
export interface ConsentAgreementsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  text_id: string;
  version: number;
  agreed_at: CreatedAt;
  /** When the person withdrew this agreement; null while it stands (schema step 0026). */
  withdrawn_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}
export interface SubjectExportsTable {
  id: string;
  tenant_id: string;
  subject_id: string;
  requested_by: string;
  requested_as: 'admin' | 'self';
  status: ColumnType<'queued' | 'running' | 'done' | 'failed' | 'expired', 'queued' | undefined, 'queued' | 'running' | 'done' | 'failed' | 'expired'>;
  progress: ColumnType<number, number | undefined, number>;
  step: string | null;
  token_hash: string;
  blob_key: string | null;
  size: ColumnType<string | null, number | null | undefined, number | null>;
  sha256: string | null;
  error: string | null;
  created_at: CreatedAt;
  finished_at: Moment;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}
