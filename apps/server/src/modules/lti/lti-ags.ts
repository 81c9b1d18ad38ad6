import { ANONYMOUS } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantId, type TenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import type { JobContext, JobQueue, QueuePolicy } from '../../platform/queue/job-queue';
import type { AuditService, RequestContext } from '../audit';
import { findExam } from '../exams';
import { findRegistration, type LtiRegistrationRow } from './lti.repository';
import { AGS_SCOPE, MEDIA, scoresUrl, serviceUrl } from './lti-services.claims';
import { findGradeLink, findLink, gradedAttempt, gradedLtiAttempts, gradeLinksOf, keepLineItem, noteSent, type LtiLinkRow } from './lti-services.repository';
import type { PlatformTokens } from './platform-token';

/** The queue of grade passbacks (AGS score publish): one job per (link, attempt, score timestamp). */
export const LTI_GRADE_PASSBACK = 'lti-grade-passback';
/**
 * A gradebook that is down for a while still gets the score: 8 retries, the first after 1–2 s, doubling
 * (about 17 minutes in all), after which the job is parked as failed with its last error.
 */
export const LTI_GRADE_PASSBACK_POLICY: Partial<QueuePolicy> = { retryLimit: 8, retryDelayMs: 1000, visibilityTimeoutMs: 2 * 60_000 };

export interface GradePassbackJob {
  tenantId: string;
  attemptId: string;
  linkId: string;
}

/** Results released for at most this many attempts of one exam at once are told to the gradebook (a class, not a campus). */
const RELEASE_BATCH = 5000;
const JOB_CONTEXT: RequestContext = { ip: null, requestId: null };

export interface LtiAgsDeps {
  database: Database;
  audit: AuditService;
  jobs: JobQueue;
  platformToken: PlatformTokens;
  /** Where the links in the gradebook point (VERITAS_PUBLIC_URL); without it no report link is sent. */
  publicUrl: string | undefined;
  fetchFn?: typeof fetch;
}

type Outcome = 'sent' | 'unchanged' | 'not-granted' | 'no-gradebook' | 'failed';

/** A failed call of the platform's gradebook: the job is retried (a 401 drops the cached token first). */
class PassbackFailure extends AppError {
  constructor(
    detail: string,
    readonly httpStatus: number | null,
  ) {
    super('lti-platform-unavailable', detail);
  }
}

/**
 * Assignment and Grade Services 2.0 (https://www.imsglobal.org/spec/lti-ags/v2p0): a graded attempt of
 * an exam a student launched from an LMS is posted to that link's gradebook column by a job, which the
 * queue retries with backoff. The job reads the attempt when it runs, so it always posts the newest
 * grade; its `timestamp` is when the score (or its comment) last changed in Veritas, which the platform
 * uses to ignore anything older, and which Veritas notes per link so it never posts a score twice.
 */
export function createLtiAgs({ database, audit, jobs, platformToken, publicUrl, fetchFn = fetch }: LtiAgsDeps) {
  const db = database.db;
  const base = publicUrl?.replace(/\/$/, '');

  /** When the score last changed in Veritas: its grading, or the release of the results (which adds the report link). */
  const timestampOf = (gradedAt: Date, releasedAt: Date | null) => (releasedAt && releasedAt > gradedAt ? releasedAt : gradedAt);

  async function enqueueFor(tenant: TenantId, attemptId: string): Promise<number> {
    const attempt = await gradedAttempt(db, tenant, attemptId);
    if (!attempt?.graded_at) return 0;
    const exam = await findExam(db, tenant, attempt.exam_id, { kind: 'all' });
    if (!exam) return 0;
    const stamp = timestampOf(attempt.graded_at, exam.results_released_at).getTime();
    const links = await gradeLinksOf(db, tenant, attempt.exam_id, attempt.student_id);
    for (const link of links) {
      const job: GradePassbackJob = { tenantId: tenant, attemptId, linkId: link.link_id };
      await jobs.enqueue(LTI_GRADE_PASSBACK, job, { key: `${link.link_id}:${attemptId}:${stamp}` });
    }
    return links.length;
  }

  async function record(tenant: TenantId, job: GradePassbackJob, outcome: Outcome, detail: Record<string, unknown>) {
    await audit.record({
      tenantId: tenant,
      actor: ANONYMOUS,
      action: 'lti.grade-passback',
      resource: { type: 'attempt', id: job.attemptId },
      context: JOB_CONTEXT,
      detail: { linkId: job.linkId, outcome, ...detail },
    });
  }

  async function call(url: string, init: RequestInit, what: string): Promise<Response> {
    const res = await fetchFn(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(10_000) }).catch((err: unknown) => {
      throw new PassbackFailure(`the LMS’s ${what} could not be reached (${(err as Error).message})`, null);
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new PassbackFailure(`the LMS’s ${what} answered ${res.status}`, res.status);
    }
    return res;
  }

  /** The link's gradebook column: the one the platform named, else one created in the course's container (AGS §3.2) and kept. */
  async function lineItemOf(registration: LtiRegistrationRow, link: LtiLinkRow, exam: { id: string; title: string; max_score: number }) {
    if (link.ags_lineitem) return link.ags_lineitem;
    const token = await platformToken(registration, [AGS_SCOPE.lineitem]);
    const res = await call(
      link.ags_lineitems!,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': MEDIA.lineItem, accept: MEDIA.lineItem },
        body: JSON.stringify({
          scoreMaximum: exam.max_score,
          label: exam.title.slice(0, 200),
          resourceLinkId: link.resource_link_id,
          resourceId: exam.id,
          tag: 'veritas',
        }),
      },
      'line items service',
    ).catch((err: unknown) => {
      if (err instanceof PassbackFailure && err.httpStatus === 401) platformToken.forget(registration, [AGS_SCOPE.lineitem]);
      throw err;
    });
    const made = serviceUrl(((await res.json().catch(() => ({}))) as { id?: unknown }).id);
    if (!made) throw new PassbackFailure('the LMS created a line item without a usable id', res.status);
    return keepLineItem(db, tenantId(link.tenant_id), link.id, made);
  }

  return {
    /** `attempt.graded`: a passback for each link the student launched the exam from. */
    onGraded: (tenant: TenantId, attemptId: string) => guard(enqueueFor(tenant, attemptId)),

    /** Results released: each graded attempt's score is posted again, now with its report link. */
    async onReleased(tenant: TenantId, examId: string): Promise<number> {
      let n = 0;
      for (const id of await guard(gradedLtiAttempts(db, tenant, examId, RELEASE_BATCH))) n += await guard(enqueueFor(tenant, id));
      return n;
    },

    /** The job: posts the attempt's current score to the link's line item. Throws (to be retried) when the LMS fails. */
    async pass(job: GradePassbackJob, ctx: JobContext): Promise<void> {
      const tenant = tenantId(job.tenantId);
      const link = await guard(findLink(db, tenant, job.linkId));
      const attempt = await guard(gradedAttempt(db, tenant, job.attemptId));
      if (!link || !attempt?.graded_at || attempt.score === null) return; // the link's registration or the grade went away
      const [exam, registration, gradeLink] = await Promise.all([
        guard(findExam(db, tenant, attempt.exam_id, { kind: 'all' })),
        guard(findRegistration(db, tenant, link.registration_id)),
        guard(findGradeLink(db, tenant, link.id, attempt.student_id)),
      ]);
      if (!exam || !registration || !gradeLink) return;
      const timestamp = timestampOf(attempt.graded_at, exam.results_released_at);
      if (gradeLink.sent_timestamp && gradeLink.sent_timestamp >= timestamp)
        return record(tenant, job, 'unchanged', { timestamp: timestamp.toISOString(), sentTimestamp: gradeLink.sent_timestamp.toISOString() });
      if (!link.ags_scopes.includes(AGS_SCOPE.score)) return record(tenant, job, 'not-granted', { scopes: link.ags_scopes });
      if (!link.ags_lineitem && !(link.ags_lineitems && link.ags_scopes.includes(AGS_SCOPE.lineitem)))
        return record(tenant, job, 'no-gradebook', { reason: 'the launch named no line item and no container Veritas may add one to' });
      const report = exam.results_released_at && attempt.session_id && base ? `${base}/report/${encodeURIComponent(attempt.session_id)}` : null;
      try {
        const lineitem = await lineItemOf(registration, link, exam);
        const token = await platformToken(registration, [AGS_SCOPE.score]);
        const comment = [attempt.feedback?.trim(), report ? `Process report: ${report}` : undefined].filter(Boolean).join('\n\n');
        const score = {
          userId: gradeLink.sub,
          scoreGiven: attempt.score,
          scoreMaximum: exam.max_score,
          activityProgress: 'Completed',
          gradingProgress: 'FullyGraded',
          timestamp: timestamp.toISOString(),
          ...(comment ? { comment } : {}),
        };
        await call(
          scoresUrl(lineitem),
          { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': MEDIA.score }, body: JSON.stringify(score) },
          'score service',
        ).catch((err: unknown) => {
          if (err instanceof PassbackFailure && err.httpStatus === 401) platformToken.forget(registration, [AGS_SCOPE.score]);
          throw err;
        });
        await guard(noteSent(db, tenant, link.id, attempt.student_id, timestamp));
        await record(tenant, job, 'sent', { lineitem, score: attempt.score, timestamp: score.timestamp, reportLink: report, run: ctx.attempt });
      } catch (err) {
        const status = err instanceof PassbackFailure ? err.httpStatus : null;
        await record(tenant, job, 'failed', { run: ctx.attempt, status, error: (err as Error).message.slice(0, 300) }).catch(() => undefined);
        throw err;
      }
    },
  };
}
export type LtiAgs = ReturnType<typeof createLtiAgs>;
