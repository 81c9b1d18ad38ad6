import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserActor } from '../../kernel/actor';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import { studentSession } from '../../testing/live';
import type { Grants } from '../grants';
import { createLiveAccess } from './live-access';

let t: TestApp;
let school: Institution;
beforeAll(async () => {
  t = await createTestApp();
  school = await buildInstitution(t.app);
}, 60_000);
afterAll(async () => t?.close());

describe("re-checks of one person's live streams", () => {
  it('share one grant query within the window, each with the answer a query of its own gives', async () => {
    const real = t.app.services.grants;
    const asked: string[][] = [];
    const grants: Grants = {
      sessionGrant: (actor, id) => real.sessionGrant(actor, id),
      sessionsRead: (actor, ids) => {
        asked.push([...ids]);
        return real.sessionsRead(actor, ids);
      },
    };
    const access = createLiveAccess({ database: t.db.database, grants, sessions: t.app.services.sessions, recheckWindowMs: 20 });
    const ids = [
      (await studentSession(t.app, school.student)).id,
      (await studentSession(t.app, school.student)).id,
      (await studentSession(t.app, school.otherStudent)).id,
      'no-such-session',
    ];
    const teacher = (await access.user(school.tenant.id, school.teacher.user.id, 'password')) as UserActor;
    const now = new Date();
    const answers = await Promise.all(ids.map((id) => access.stillReads(teacher, id, now)));
    expect(asked).toEqual([ids]);
    const alone = await Promise.all(ids.map(async (id) => (await real.sessionGrant(teacher, id)) === 'read'));
    expect(answers).toEqual(alone);
    expect(answers.slice(0, 2)).toEqual([true, true]);
    expect(answers[3]).toBe(false);
  });

  it('are decided on the person as they are now: promoted, then disabled', async () => {
    // A new access each time: a person's reading is shared for a second between re-checks.
    const access = () => createLiveAccess({ database: t.db.database, grants: t.app.services.grants, sessions: t.app.services.sessions, recheckWindowMs: 20 });
    const s = await studentSession(t.app, school.student);
    const teacher = (await access().user(school.tenant.id, school.otherTeacher.user.id, 'password')) as UserActor;
    await t.app.services.database.db.updateTable('users').set({ role: 'admin' }).where('id', '=', school.otherTeacher.user.id).execute();
    expect(await access().stillReads(teacher, s.id, new Date())).toBe(true);
    await t.app.services.database.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', school.otherTeacher.user.id).execute();
    expect(await access().stillReads(teacher, s.id, new Date())).toBe(false);
  });
});
