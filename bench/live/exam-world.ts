/**
 * A real exam for bench/live/exam.ts: one institution, `teachers` teachers each with a class of
 * their share of `students` students and an exam of that class, each student's attempt started over
 * HTTP (its session and write token, as the student's browser gets them). People and classes are
 * rows written here, with access tokens signed by the keys the servers read from the same database
 * (as `testing/people.ts` does for the tests); everything else goes through the server's API.
 */
import { randomBytes } from 'node:crypto';
import { openPostgres } from '../../apps/server/src/platform/db/database';
import { insertTenant, insertUser } from '../../apps/server/src/modules/people';
import { createAccessTokens } from '../../apps/server/src/modules/auth/access-tokens';

export interface ExamTeacher {
  headers: { authorization: string };
  examId: string;
  /** The sessions of the exam's attempts, in the order of its students. */
  sessionIds: string[];
}

export interface ExamStudent {
  sessionId: string;
  writeToken: string;
}

export interface ExamWorld {
  teachers: ExamTeacher[];
  students: ExamStudent[];
}

const HOUR = 3_600_000;

async function json<T>(r: Response, expect: number, what: string): Promise<T> {
  const text = await r.text();
  if (r.status !== expect) throw new Error(`${what} answered ${r.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function pool<T, R>(items: T[], concurrency: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!, i);
      }
    }),
  );
  return out;
}

export async function buildExamWorld(databaseUrl: string, base: string, teachers: number, students: number): Promise<ExamWorld> {
  const database = openPostgres(databaseUrl, 4);
  try {
    const { db } = database;
    const tokens = createAccessTokens(database);
    const tenantId = `t-${randomBytes(6).toString('hex')}`;
    await insertTenant(db, { id: tenantId, slug: tenantId, name: `Bench school ${tenantId}` });
    const person = async (role: 'teacher' | 'student') => {
      const id = `u-${randomBytes(6).toString('hex')}`;
      const user = await insertUser(db, {
        id,
        tenant_id: tenantId,
        email: `${id}@${tenantId}.test`,
        display_name: `${role} ${id}`,
        role,
        password_hash: null,
        oidc_subject: null,
        enrollment_id: role === 'student' ? `E-${id}` : null,
        department: role === 'teacher' ? 'Languages' : null,
      });
      const { token } = await tokens.issue(user, 'password');
      return { id, headers: { authorization: `Bearer ${token}` } };
    };
    const teacherPeople = await pool(Array.from({ length: teachers }), 8, () => person('teacher'));
    const studentPeople = await pool(Array.from({ length: students }), 8, () => person('student'));
    // Student s is in the class of teacher s mod teachers.
    const classIds = teacherPeople.map(() => `c-${randomBytes(6).toString('hex')}`);
    await db
      .insertInto('classes')
      .values(teacherPeople.map((t, i) => ({ id: classIds[i]!, tenant_id: tenantId, name: `Class ${i + 1}`, teacher_id: t.id })))
      .execute();
    for (let i = 0; i < studentPeople.length; i += 500)
      await db
        .insertInto('class_members')
        .values(studentPeople.slice(i, i + 500).map((s, j) => ({ class_id: classIds[(i + j) % teachers]!, user_id: s.id, tenant_id: tenantId })))
        .execute();
    const examIds = await pool(teacherPeople, 8, async (t, i) => {
      const r = await fetch(`${base}/v1/exams`, {
        method: 'POST',
        headers: { ...t.headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          title: `Bench exam ${i + 1}`,
          instructions: 'Write.',
          kind: 'writing',
          maxScore: 20,
          passMark: 10,
          durationMinutes: 120,
          opensAt: new Date(Date.now() - HOUR).toISOString(),
          closesAt: new Date(Date.now() + 3 * HOUR).toISOString(),
          classIds: [classIds[i]!],
        }),
      });
      return (await json<{ id: string }>(r, 201, 'creating an exam')).id;
    });
    const started = await pool(studentPeople, 16, async (s, i) => {
      const r = await fetch(`${base}/v1/exams/${examIds[i % teachers]!}/attempts`, { method: 'POST', headers: s.headers });
      const body = await json<{ attempt: { sessionId: string }; writeToken: string }>(r, 201, 'starting an attempt');
      return { sessionId: body.attempt.sessionId, writeToken: body.writeToken };
    });
    return {
      teachers: teacherPeople.map((t, i) => ({
        headers: t.headers,
        examId: examIds[i]!,
        sessionIds: started.filter((_, j) => j % teachers === i).map((s) => s.sessionId),
      })),
      students: started,
    };
  } finally {
    await database.close();
  }
}

/** A live ticket's URL (60 s): a session's stream, or an exam's view or alerts socket. */
export async function sessionStreamUrl(base: string, headers: { authorization: string }, sessionId: string): Promise<string> {
  const r = await fetch(`${base}/v1/sessions/${sessionId}/live-tickets`, { method: 'POST', headers });
  return `${base}${(await json<{ url: string }>(r, 201, 'a session ticket')).url}`;
}

export async function examUrl(base: string, headers: { authorization: string }, examId: string, purpose: 'exam-live' | 'alerts'): Promise<string> {
  const r = await fetch(`${base}/v1/exams/${examId}/live-tickets`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ purpose }),
  });
  const url = `${base}${(await json<{ url: string }>(r, 201, 'an exam ticket')).url}`;
  return purpose === 'alerts' ? url.replace(/^http/, 'ws') : url;
}
