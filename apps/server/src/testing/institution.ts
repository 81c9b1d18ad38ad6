import { randomBytes } from 'node:crypto';
import type { VeritasEvent } from '@veritas/schema';
import type { App } from '../http/app';
import { buildPerson, buildTenant, type Person } from './people';
import { chainBatches, typingEvents } from './batches';
import type { TenantRow } from '../modules/people';

/**
 * A school for the access tests: an admin; a teacher with a class holding a student; another teacher
 * with a class holding another student; an observer attached to each teacher; and a person of
 * another institution. Classes and observer links are rows as the admin API will store them.
 */
export interface Institution {
  tenant: TenantRow;
  otherTenant: TenantRow;
  admin: Person;
  teacher: Person;
  otherTeacher: Person;
  observer: Person;
  otherObserver: Person;
  student: Person;
  otherStudent: Person;
  /** An admin of another institution. */
  stranger: Person;
}

export async function buildInstitution(app: App): Promise<Institution> {
  const tenant = await buildTenant(app);
  const otherTenant = await buildTenant(app);
  const [admin, teacher, otherTeacher, observer, otherObserver, student, otherStudent, stranger] = [
    await buildPerson(app, tenant, 'admin'),
    await buildPerson(app, tenant, 'teacher'),
    await buildPerson(app, tenant, 'teacher'),
    await buildPerson(app, tenant, 'observer'),
    await buildPerson(app, tenant, 'observer'),
    await buildPerson(app, tenant, 'student'),
    await buildPerson(app, tenant, 'student'),
    await buildPerson(app, otherTenant, 'admin'),
  ] as const;
  const db = app.services.database.db;
  const classOf = async (teacherId: string, studentId: string) => {
    const id = `c-${randomBytes(6).toString('hex')}`;
    await db
      .insertInto('classes')
      .values({ id, tenant_id: tenant.id, name: `Class ${id}`, teacher_id: teacherId })
      .execute();
    await db.insertInto('class_members').values({ class_id: id, user_id: studentId, tenant_id: tenant.id }).execute();
  };
  await classOf(teacher.user.id, student.user.id);
  await classOf(otherTeacher.user.id, otherStudent.user.id);
  await db
    .insertInto('observer_links')
    .values([
      { tenant_id: tenant.id, observer_id: observer.user.id, teacher_id: teacher.user.id },
      { tenant_id: tenant.id, observer_id: otherObserver.user.id, teacher_id: otherTeacher.user.id },
    ])
    .execute();
  return { tenant, otherTenant, admin, teacher, otherTeacher, observer, otherObserver, student, otherStudent, stranger };
}

export interface Recorded {
  id: string;
  writeToken: string;
  eventCount: number;
}

/**
 * A session recorded as the recorder in this person's browser would: created with their access
 * token, its events sent with the write token, then ended with it (unless `end` is false).
 */
export async function recordAs(
  app: App,
  person: Person | undefined,
  { events = typingEvents('a few words typed here'), end = true }: { events?: VeritasEvent[]; end?: boolean } = {},
): Promise<Recorded> {
  const created = await app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: person?.headers ?? {},
    payload: { kind: 'writing', meta: { title: 'Essay' } },
  });
  if (created.statusCode !== 201) throw new Error(`creating a session answered ${created.statusCode}: ${created.body}`);
  const { id, writeToken } = created.json() as { id: string; writeToken: string };
  const auth = { authorization: `Bearer ${writeToken}` };
  for (const b of await chainBatches(id, events, 25, writeToken)) {
    const r = await app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, headers: auth, payload: b });
    if (r.statusCode !== 200) throw new Error(`ingest answered ${r.statusCode}: ${r.body}`);
  }
  if (end) {
    const r = await app.inject({ method: 'POST', url: `/v1/sessions/${id}/end`, headers: auth });
    if (r.statusCode !== 200) throw new Error(`ending answered ${r.statusCode}: ${r.body}`);
  }
  return { id, writeToken, eventCount: events.length };
}

/** Waits until `condition` holds (checked every `intervalMs`), for setup code where expect.poll is not available. */
export async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
