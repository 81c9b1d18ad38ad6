import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../../testing/test-database';
import { startAttempt } from '../../testing/exam-live';
import { until } from '../../testing/institution';
import type { Person } from '../../testing/people';
import { LTI_GRADE_PASSBACK } from './lti-ags';
import { agsOf, scoresUrl, serviceUrl } from './lti-services.claims';
import { buildAdvantageWorld, type AdvantageWorld } from '../../testing/lti-advantage-world';
import { ROLE, type LmsScore } from './testing/test-platform';
import { linkedAudit } from '../../testing/linked-audit';

/**
 * Issue 17, Assignment and Grade Services: a graded attempt of an exam launched from the LMS reaches the
 * test LMS's gradebook through the job queue, retried when the LMS fails; the released results add the
 * process report's link; a newer grade always wins; broken token answers are failures that are retried.
 */

let w: AdvantageWorld;
let learner: Person;
let learnerSub: string;
let attemptId: string;
let sessionId: string;

const db = () => w.t.app.services.database.db;
const passbacks = async () =>
  (
    await (
      await linkedAudit(w.t.app.services)
    )
      .selectFrom('audit_log')
      .select(['detail', 'seq'])
      .where('tenant_id', '=', w.tenant.id)
      .where('action', '=', 'lti.grade-passback')
      .where('resource_id', '=', attemptId)
      .orderBy('seq')
      .execute()
  ).map((r) => r.detail as { outcome: string; status?: number | null; error?: string; score?: number; reportLink?: string | null; timestamp?: string });
/** The score the LMS's gradebook holds for the learner (at the one line item of the course). */
const held = (): LmsScore | undefined => [...w.lms.results.entries()].find(([k]) => k.endsWith(` ${learnerSub}`))?.[1];
const grade = async (score: number, feedback?: string) => {
  const r = await w.t.app.inject({
    method: 'PUT',
    url: `/v1/attempts/${attemptId}/score`,
    headers: w.teacher.headers,
    payload: { score, ...(feedback ? { feedback } : {}) },
  });
  expect(r.statusCode, r.body).toBe(200);
};
/** No passback waits or runs any more. */
const settled = async () => {
  const c = await w.t.app.services.jobs.counts(LTI_GRADE_PASSBACK);
  return c.queued === 0 && c.running === 0;
};

beforeAll(async () => {
  w = await buildAdvantageWorld();
  const teacherLaunch = await w.launchFromCourse({ sub: `instructor-${randomUUID()}`, roles: [ROLE.instructor], email: w.teacher.user.email });
  expect(teacherLaunch.status, JSON.stringify(teacherLaunch.problem)).toBe(303);
  learnerSub = `learner-${randomUUID()}`;
  const learnerLaunch = await w.launchFromCourse({ sub: learnerSub, roles: [ROLE.learner], name: 'Ada Learner' });
  expect(learnerLaunch.status, JSON.stringify(learnerLaunch.problem)).toBe(303);
  learner = await w.personOf(learnerSub);
  const writer = await startAttempt(w.t.app, w.examId, learner);
  attemptId = writer.attemptId;
  sessionId = writer.sessionId;
  const submitted = await w.t.app.inject({ method: 'POST', url: `/v1/attempts/${attemptId}/submit`, headers: learner.headers });
  expect(submitted.statusCode, submitted.body).toBe(200);
}, 300_000);
afterAll(async () => {
  await w?.close();
});

describe(`AGS grade passback through the job queue (${TEST_DB})`, () => {
  it('reads the AGS claim’s URLs only when Veritas may call them, and appends /scores to a line item’s path, keeping its query', () => {
    expect(scoresUrl('https://lms.example/lineitems/7?type=x')).toBe('https://lms.example/lineitems/7/scores?type=x');
    expect(scoresUrl('https://lms.example/lineitems/7/')).toBe('https://lms.example/lineitems/7/scores');
    expect(serviceUrl('http://10.0.0.5/lineitems')).toBeUndefined();
    expect(serviceUrl('https://user:pw@lms.example/lineitems')).toBeUndefined();
    expect(serviceUrl('javascript:alert(1)')).toBeUndefined();
    expect(serviceUrl('http://127.0.0.1:8080/lineitems')).toBe('http://127.0.0.1:8080/lineitems');
    const claim = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
    expect(agsOf({ [claim]: { scope: ['s', 5], lineitem: 'https://lms.example/li/1' } })).toEqual({
      scopes: ['s'],
      lineitems: undefined,
      lineitem: 'https://lms.example/li/1',
    });
    expect(agsOf({ [claim]: { scope: [], lineitems: 'ftp://lms.example/li' } })).toBeUndefined();
    expect(agsOf({})).toBeUndefined();
  });

  it('keeps the launch’s AGS endpoint and the learner’s LMS id per resource link, tenant-scoped', async () => {
    const link = await db().selectFrom('lti_links').selectAll().where('registration_id', '=', w.registrationId).executeTakeFirstOrThrow();
    expect(link).toMatchObject({
      tenant_id: w.tenant.id,
      deployment_id: w.platform.deploymentId,
      context_id: w.course.id,
      resource_link_id: 'link-1',
      exam_id: w.examId,
      ags_lineitems: w.lms.lineitemsUrl(w.course.id),
      ags_lineitem: null,
      nrps_url: w.lms.membershipsUrl(w.course.id),
    });
    expect(link.ags_scopes).toEqual(['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem', 'https://purl.imsglobal.org/spec/lti-ags/scope/score']);
    const gradeLink = await db().selectFrom('lti_grade_links').selectAll().where('link_id', '=', link.id).executeTakeFirstOrThrow();
    expect(gradeLink).toMatchObject({ tenant_id: w.tenant.id, user_id: learner.user.id, sub: learnerSub, sent_timestamp: null });
  });

  it('a grade the LMS fails to take once is retried until its gradebook holds it, in a line item Veritas created', async () => {
    expect(w.lms.failScorePosts).toBe(1);
    await grade(15, 'Clear structure.');
    await until(async () => held()?.scoreGiven === 15, 'the gradebook to hold the score', 90_000);
    // The job notes and audits what it sent after the LMS took it: wait for its entry, not a guessed moment.
    await until(async () => (await passbacks()).some((o) => o.outcome === 'sent'), 'the passback audited', 60_000);
    const posts = w.lms.scorePosts.filter((p) => p.body.userId === learnerSub);
    // On a failure, what the passbacks said (they tell a token refusal from a score refusal).
    const said = JSON.stringify(await passbacks());
    expect(
      posts.map((p) => p.status),
      said,
    ).toEqual([500, 200]);
    expect(held()).toMatchObject({
      userId: learnerSub,
      scoreGiven: 15,
      scoreMaximum: 20,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      comment: 'Clear structure.',
    });
    // Results not released yet: no report link.
    expect(held()!.comment).not.toContain('/report/');
    // The column Veritas added to the course (the launch named only the container), kept for the link.
    const [item] = [...w.lms.lineItems.values()];
    expect(item).toMatchObject({ label: 'Essay on rivers', scoreMaximum: 20, resourceLinkId: 'link-1', resourceId: w.examId, tag: 'veritas' });
    expect(w.lms.lineItems.size).toBe(1);
    const link = await db().selectFrom('lti_links').select('ags_lineitem').where('registration_id', '=', w.registrationId).executeTakeFirstOrThrow();
    expect(link.ags_lineitem).toBe(item!.id);
    const outcomes = await passbacks();
    expect(
      outcomes.map((o) => o.outcome),
      said,
    ).toEqual(['failed', 'sent']);
    expect(outcomes[0]).toMatchObject({ status: 500 });
    expect(outcomes[1]).toMatchObject({ score: 15, reportLink: null });
    const sent = await db().selectFrom('lti_grade_links').select('sent_timestamp').where('user_id', '=', learner.user.id).executeTakeFirstOrThrow();
    expect(sent.sent_timestamp?.toISOString()).toBe(held()!.timestamp);
  });

  it('when the teacher releases the results, the score is posted again with a link to the student’s process report', async () => {
    const before = held()!;
    const r = await w.t.app.inject({ method: 'PATCH', url: `/v1/exams/${w.examId}`, headers: w.teacher.headers, payload: { resultsReleased: true } });
    expect(r.statusCode, r.body).toBe(200);
    await until(async () => (held()?.comment ?? '').includes('/report/'), 'the report link in the gradebook', 90_000);
    await until(async () => (await passbacks()).at(-1)?.reportLink != null, 'the release passback audited', 60_000);
    expect(held()!.comment).toBe(`Clear structure.\n\nProcess report: ${w.base}/report/${sessionId}`);
    expect(held()!.scoreGiven).toBe(15);
    // The release is when the score last changed: a later timestamp, so the platform takes it.
    expect(Date.parse(held()!.timestamp)).toBeGreaterThan(Date.parse(before.timestamp));
    expect((await passbacks()).at(-1)).toMatchObject({ outcome: 'sent', reportLink: `${w.base}/report/${sessionId}` });
  });

  it('a newer grade wins: two grades while the LMS fails end with the newer one, and a stale passback posts nothing', async () => {
    w.lms.failScorePosts = 2;
    await grade(4);
    await grade(18, 'Regraded.');
    await until(async () => held()?.scoreGiven === 18 && (await settled()), 'the newer grade in the gradebook', 90_000);
    const taken = w.lms.scorePosts.filter((p) => p.body.userId === learnerSub && p.status === 200);
    const firstNewer = taken.findIndex((p) => p.body.scoreGiven === 18);
    // Nothing older was taken after the newer grade.
    expect(taken.slice(firstNewer).every((p) => p.body.scoreGiven === 18)).toBe(true);
    expect(held()).toMatchObject({ scoreGiven: 18, comment: `Regraded.\n\nProcess report: ${w.base}/report/${sessionId}` });

    // A passback of this attempt run again (as a late retry would): the gradebook already has its timestamp.
    const link = await db().selectFrom('lti_links').select('id').where('registration_id', '=', w.registrationId).executeTakeFirstOrThrow();
    const count = w.lms.scorePosts.length;
    const unchanged = async () => (await passbacks()).filter((o) => o.outcome === 'unchanged').length;
    const seen = await unchanged();
    await w.t.app.services.jobs.enqueue(LTI_GRADE_PASSBACK, { tenantId: w.tenant.id, attemptId, linkId: link.id }, { key: `replay-${randomUUID()}` });
    await until(async () => (await unchanged()) > seen, 'the replayed passback', 60_000);
    expect(w.lms.scorePosts.length).toBe(count);
    expect(held()!.scoreGiven).toBe(18);
  });

  it('a token answer that is not a token, and a token the LMS takes as expired, are failures retried until the LMS works again', async () => {
    w.lms.tokens.clear(); // the LMS forgets the token Veritas keeps: its next call answers 401
    w.lms.tokenAnswer = 'tampered';
    const before = (await passbacks()).length;
    await grade(11);
    await until(
      async () => (await passbacks()).slice(before).some((o) => o.outcome === 'failed' && /token endpoint/.test(o.error ?? '')),
      'a failure at the token endpoint',
      90_000,
    );
    w.lms.tokenAnswer = 'expired';
    const mid = (await passbacks()).length;
    const mark = w.lms.tokens.size;
    await until(async () => w.lms.tokens.size > mark, 'an expired token issued', 90_000);
    await until(async () => (await passbacks()).slice(mid).some((o) => o.outcome === 'failed' && o.status === 401), 'the LMS refusing it', 90_000);
    w.lms.tokenAnswer = 'ok';
    await until(async () => held()?.scoreGiven === 11, 'the gradebook to hold the score', 120_000);
    // The job audits the passback after the LMS answers: wait for that entry, not only the LMS.
    await until(async () => (await passbacks()).at(-1)?.outcome === 'sent', 'the passback audited', 60_000);
    const outcomes = (await passbacks()).slice(before);
    expect(outcomes.at(-1)).toMatchObject({ outcome: 'sent', score: 11 });
    // Never an internal error: every failure is the LMS's, said as such.
    for (const o of outcomes.filter((x) => x.outcome === 'failed')) expect(o.error).toMatch(/LMS/);
  }, 180_000);
});
