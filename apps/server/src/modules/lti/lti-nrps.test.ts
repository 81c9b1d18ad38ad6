import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../../testing/test-database';
import { until } from '../../testing/institution';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import { nextLink } from './lti-services.claims';
import { buildAdvantageWorld, type AdvantageWorld } from '../../testing/lti-advantage-world';
import { ROLE, type LmsMember } from './testing/test-platform';
import { linkedAudit } from '../../testing/linked-audit';

/**
 * Issue 17, Names and Role Provisioning Services: the course roster (two pages) syncs into the course's
 * class on an instructor's launch and on request: members made, matched, added and removed; who may ask;
 * a broken token answer is a failure the job retries.
 */

let w: AdvantageWorld;
let classId: string;
let existing: Person;
const subs = {
  ada: `ada-${randomUUID()}`,
  ben: `ben-${randomUUID()}`,
  teacher: `instructor-${randomUUID()}`,
  cleo: `cleo-${randomUUID()}`,
  dan: `dan-${randomUUID()}`,
};
const mentor = `mentor-${randomUUID()}`;

const db = () => w.t.app.services.database.db;
interface SyncDetail {
  outcome: string;
  reason: string;
  members?: number;
  created?: number;
  matched?: number;
  added?: number;
  removed?: number;
  skipped?: number;
  error?: string;
}
const syncs = async () =>
  (
    await (
      await linkedAudit(w.t.app.services)
    )
      .selectFrom('audit_log')
      .select(['detail'])
      .where('tenant_id', '=', w.tenant.id)
      .where('action', '=', 'lti.roster-sync')
      .where('resource_id', '=', classId)
      .orderBy('seq')
      .execute()
  ).map((r) => r.detail as unknown as SyncDetail);
const memberIds = async () => (await db().selectFrom('class_members').select('user_id').where('class_id', '=', classId).execute()).map((r) => r.user_id).sort();
const userOf = async (sub: string) => {
  const a = await db().selectFrom('lti_accounts').select('user_id').where('sub', '=', sub).where('registration_id', '=', w.registrationId).executeTakeFirst();
  return a ? db().selectFrom('users').selectAll().where('id', '=', a.user_id).executeTakeFirstOrThrow() : undefined;
};
const ask = (who: { headers: Record<string, string> } | undefined, id = classId) =>
  w.t.app.inject({ method: 'POST', url: `/v1/classes/${id}/lti-roster-sync`, ...(who ? { headers: who.headers } : {}) });

beforeAll(async () => {
  w = await buildAdvantageWorld();
  existing = await buildPerson(w.t.app, w.tenant, 'student', { email: `ben-${randomUUID()}@school.test`, display_name: 'Ben Existing' });
  const roster: LmsMember[] = [
    { user_id: subs.ada, roles: [ROLE.learner], name: 'Ada New', email: `ada-${randomUUID()}@school.test` },
    { user_id: subs.ben, roles: [ROLE.learner], name: 'Ben', email: existing.user.email },
    { user_id: subs.teacher, roles: [ROLE.instructor], email: w.teacher.user.email },
    { user_id: mentor, roles: [ROLE.mentor], name: 'A mentor' },
  ];
  w.lms.pageSize = 3;
  w.lms.rosters.set(w.course.id, roster);
}, 300_000);
afterAll(async () => {
  await w?.close();
});

describe(`NRPS roster sync (${TEST_DB})`, () => {
  it('reads a Link header’s rel="next" (RFC 8288), resolved against the page', () => {
    expect(nextLink('<https://lms.example/m?page=2>; rel="next", <https://lms.example/m?page=9>; rel="last"', 'https://lms.example/m')).toBe(
      'https://lms.example/m?page=2',
    );
    expect(nextLink('<?p=3>; rel=next', 'https://lms.example/m?p=2')).toBe('https://lms.example/m?p=3');
    expect(nextLink('<https://lms.example/m?page=1>; rel="prev"', 'https://lms.example/m')).toBeUndefined();
    expect(nextLink(null, 'https://lms.example/m')).toBeUndefined();
  });

  it('an instructor’s launch syncs the course roster over two pages: new learners made, known ones matched, learners added to the class', async () => {
    const r = await w.launchFromCourse({ sub: subs.teacher, roles: [ROLE.instructor], email: w.teacher.user.email });
    expect(r.status, JSON.stringify(r.problem)).toBe(303);
    classId = (await db().selectFrom('lti_contexts').select('class_id').where('context_id', '=', w.course.id).executeTakeFirstOrThrow()).class_id;
    await until(async () => (await syncs()).some((s) => s.reason === 'launch' && s.outcome === 'done'), 'the launch’s roster sync', 60_000);
    expect(w.lms.pageRequests).toEqual([w.lms.membershipsUrl(w.course.id), `${w.lms.membershipsUrl(w.course.id)}?page=1`]);
    const [sync] = await syncs();
    expect(sync).toMatchObject({ outcome: 'done', reason: 'launch', members: 4, created: 1, matched: 2, added: 2, removed: 0, skipped: 1 });
    const ada = (await userOf(subs.ada))!;
    expect(ada).toMatchObject({ tenant_id: w.tenant.id, role: 'student', display_name: 'Ada New', password_hash: null });
    expect((await userOf(subs.ben))!.id).toBe(existing.user.id);
    expect((await userOf(subs.teacher))!.id).toBe(w.teacher.user.id);
    expect(await userOf(mentor)).toBeUndefined();
    expect(await memberIds()).toEqual([ada.id, existing.user.id].sort());
  });

  it('a sync on request removes Inactive and Deleted members and linked learners the roster no longer lists', async () => {
    // Cleo and Dan launch (they join the class), then Cleo is made Inactive in the LMS and Dan leaves the course.
    for (const sub of [subs.cleo, subs.dan]) {
      const r = await w.launchFromCourse({ sub, roles: [ROLE.learner] });
      expect(r.status, JSON.stringify(r.problem)).toBe(303);
    }
    const cleo = (await userOf(subs.cleo))!;
    const dan = (await userOf(subs.dan))!;
    expect(await memberIds()).toEqual(expect.arrayContaining([cleo.id, dan.id]));
    w.lms.rosters.set(w.course.id, [...w.lms.rosters.get(w.course.id)!, { user_id: subs.cleo, roles: [ROLE.learner], status: 'Inactive' }]);

    const res = await ask(w.teacher);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ classId, jobId: expect.any(String) });
    await until(async () => (await syncs()).some((s) => s.reason === 'request' && s.outcome === 'done'), 'the requested sync', 60_000);
    expect((await syncs()).find((s) => s.reason === 'request')).toMatchObject({ members: 5, created: 0, matched: 3, added: 0, removed: 2, skipped: 1 });
    const ada = (await userOf(subs.ada))!;
    expect(await memberIds()).toEqual([ada.id, existing.user.id].sort());
    // Their accounts stay; only their place in the class goes.
    expect(await userOf(subs.dan)).toMatchObject({ id: dan.id, status: 'active' });
    const requested = await (
      await linkedAudit(w.t.app.services)
    )
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', w.tenant.id)
      .where('action', '=', 'lti.roster-sync.request')
      .execute();
    expect(requested.map((e) => e.actor_id)).toEqual([w.teacher.user.id]);

    // Run again, nothing more changes.
    expect((await ask(w.admin)).statusCode).toBe(202);
    await until(async () => (await syncs()).filter((s) => s.reason === 'request' && s.outcome === 'done').length === 2, 'the second sync', 60_000);
    expect((await syncs()).at(-1)).toMatchObject({ created: 0, added: 0, removed: 0 });
  });

  it('only the class’s teacher or an admin of its institution may ask; another class, tenant or role is refused', async () => {
    const student = await w.personOf(subs.ada);
    const otherTeacher = await buildPerson(w.t.app, w.tenant, 'teacher');
    const observer = await buildPerson(w.t.app, w.tenant, 'observer');
    const otherTenant = await buildTenant(w.t.app);
    const strangerAdmin = await buildPerson(w.t.app, otherTenant, 'admin');
    expect((await ask(undefined)).statusCode).toBe(401);
    expect((await ask(student)).statusCode).toBe(403);
    expect((await ask(observer)).statusCode).toBe(403);
    expect((await ask(otherTeacher)).statusCode).toBe(404);
    expect((await ask(strangerAdmin)).statusCode).toBe(404);
    expect((await ask(w.admin, `no-such-${randomUUID()}`)).statusCode).toBe(404);
    // A class that is no LMS course has no roster to read.
    const own = await w.t.app.inject({ method: 'POST', url: '/v1/classes', headers: w.teacher.headers, payload: { name: 'Not from the LMS' } });
    const plain = await ask(w.teacher, (own.json() as { id: string }).id);
    expect(plain.statusCode).toBe(409);
    expect(plain.json()).toMatchObject({ type: 'urn:veritas:problem:lti-roster-unavailable' });
  });

  it('a token answer that is not a token makes the sync fail (audited, retried), not the request; it completes once the LMS answers again', async () => {
    w.lms.tokens.clear();
    w.lms.tokenAnswer = 'tampered';
    const before = (await syncs()).length;
    const res = await ask(w.teacher);
    expect(res.statusCode, res.body).toBe(202);
    await until(async () => (await syncs()).slice(before).some((s) => s.outcome === 'failed' && /token endpoint/.test(s.error ?? '')), 'the failure', 60_000);
    w.lms.tokenAnswer = 'ok';
    await until(async () => (await syncs()).slice(before).some((s) => s.outcome === 'done'), 'the retried sync', 90_000);
  }, 120_000);
});
