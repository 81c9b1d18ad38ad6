import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, recordAs, until, type Institution, type Recorded } from '../../testing/institution';
import { buildPerson, type Person } from '../../testing/people';
import { classOf, createExam, startAttempt } from '../../testing/exam-live';
import { typingEvents } from '../../testing/batches';
import type { VeritasEvent } from '@veritas/schema';
import { linkedAudit } from '../../testing/linked-audit';

let t: TestApp;
let school: Institution;
let blobDir: string;
const db = () => t.app.services.database.db;

/** Typing the text, then a snapshot of it: the words are then in the stored events whole. */
const written = (text: string): VeritasEvent[] => {
  const typed = typingEvents(text);
  return [...typed, { seq: typed.length, t: typed.length * 120, type: 'snapshot', data: { text } } as VeritasEvent];
};

/** What the other people of the walk hold: none of it may be in the student's archive. */
let mine: Recorded[];
let attemptSession: string;
let others: { sessions: string[]; ids: string[]; words: string[] };

beforeAll(async () => {
  blobDir = await mkdtemp(join(tmpdir(), 'veritas-subject-export-'));
  t = await createTestApp({ blob: { driver: 'fs', dir: blobDir }, jobs: { driver: 'embedded', pollIntervalMs: 20, concurrency: 1 } });
  school = await buildInstitution(t.app);
  const { student, otherStudent, stranger, teacher } = school;

  mine = [
    await recordAs(t.app, student, { events: written('my own essay about rivers') }),
    await recordAs(t.app, student, { events: written('a second piece of mine'), end: false }),
  ];
  await classOf(t.app, teacher);
  const examId = await createExam(t.app, teacher);
  const attempt = await startAttempt(t.app, examId, student);
  await attempt.send(
    t.app,
    typingEvents('an exam answer of mine').map(({ seq: _seq, ...e }) => e),
  );
  attemptSession = attempt.sessionId;
  const theirs = await recordAs(t.app, otherStudent, { events: written('zebra quokka narwhal') });
  const strangers = await recordAs(t.app, stranger, { events: written('axolotl pangolin') });
  others = {
    sessions: [theirs.id, strangers.id],
    ids: [otherStudent.user.id, otherStudent.user.email, stranger.user.id, stranger.user.email, teacher.user.id, teacher.user.email, school.admin.user.id],
    words: ['zebra', 'quokka', 'narwhal', 'axolotl', 'pangolin'],
  };

  // A flag on the student's session with a reviewer's decision and the student's answer; the same on the other student's.
  for (const [sessionId, author] of [
    [mine[0]!.id, student],
    [theirs.id, otherStudent],
  ] as const) {
    const flagId = await flagWithDecision(sessionId, author);
    const answer = await t.app.inject({
      method: 'POST',
      url: `/v1/flags/${flagId}/answers`,
      headers: author.headers,
      payload: { kind: 'appeal', text: author === student ? 'I wrote this myself, about rivers.' : 'zebra appeal' },
    });
    expect(answer.statusCode, answer.body).toBe(201);
  }
  // Consents and a share link.
  const text = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/consent/texts',
    headers: school.admin.headers,
    payload: { title: 'Consent', body: 'We record.' },
  });
  expect(text.statusCode, text.body).toBe(201);
  for (const p of [student, otherStudent])
    expect((await t.app.inject({ method: 'POST', url: '/v1/me/consent', headers: p.headers, payload: { version: 1 } })).statusCode).toBe(200);
  expect((await t.app.inject({ method: 'POST', url: `/v1/sessions/${mine[0]!.id}/share-links`, headers: student.headers, payload: {} })).statusCode).toBe(201);
  expect((await t.app.inject({ method: 'POST', url: `/v1/sessions/${theirs.id}/share-links`, headers: otherStudent.headers, payload: {} })).statusCode).toBe(
    201,
  );
});
afterAll(async () => {
  await t?.close();
  await rm(blobDir, { recursive: true, force: true });
});

async function flagWithDecision(sessionId: string, _author: Person): Promise<string> {
  const id = `rv_${randomBytes(12).toString('base64url')}`;
  const now = new Date();
  await db()
    .insertInto('review_flags')
    .values({
      id,
      tenant_id: school.tenant.id,
      session_id: sessionId,
      kind: 'paste-share',
      severity: 'medium',
      severity_rank: 2,
      message: 'Pasted text.',
      created_at: now,
      updated_at: now,
    })
    .execute();
  const decided = await t.app.inject({
    method: 'POST',
    url: `/v1/flags/${id}/decisions`,
    headers: school.admin.headers,
    payload: { decision: 'dismiss', note: 'internal reviewer note', noteToStudent: 'note meant for the student' },
  });
  expect(decided.statusCode, decided.body).toBe(200);
  return id;
}

interface Created {
  id: string;
  token: string;
  downloadUrl: string;
  status: string;
}

async function built(as: Person, created: Created) {
  await until(async () => {
    const s = await t.app.inject({ method: 'GET', url: `/v1/subject-exports/${created.id}`, headers: as.headers });
    return s.json().status === 'done' || s.json().status === 'failed';
  }, `export ${created.id}`);
  const s = await t.app.inject({ method: 'GET', url: `/v1/subject-exports/${created.id}`, headers: as.headers });
  expect(s.json()).toMatchObject({ status: 'done', progress: 100, step: 'done' });
  return s.json() as { size: number; sha256: string; expiresAt: string };
}

const download = (as: Person | undefined, id: string, token: string) =>
  t.app.inject({ method: 'GET', url: `/v1/subject-exports/${id}/archive?token=${token}`, headers: as?.headers ?? {} });

function unzip(body: Buffer): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(new Uint8Array(body))).map(([name, bytes]) => [name, strFromU8(bytes)]));
}

const auditCount = async (action: string) =>
  Number(
    (
      await (
        await linkedAudit(t.app.services)
      )
        .selectFrom('audit_log')
        .select((e) => e.fn.countAll().as('n'))
        .where('action', '=', action)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('subject-access export', () => {
  let adminExport: Created;

  it("holds exactly the person's data, and nothing of another person or institution", async () => {
    const r = await t.app.inject({ method: 'POST', url: `/v1/admin/users/${school.student.user.id}/subject-export`, headers: school.admin.headers });
    expect(r.statusCode, r.body).toBe(202);
    adminExport = r.json() as Created;
    expect(adminExport.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const status = await built(school.admin, adminExport);

    const got = await download(school.admin, adminExport.id, adminExport.token);
    expect(got.statusCode, got.body.slice(0, 300)).toBe(200);
    expect(got.headers['content-type']).toBe('application/zip');
    expect(got.rawPayload.length).toBe(status.size);
    const files = unzip(got.rawPayload);

    const sessionDirs = new Set(
      Object.keys(files)
        .filter((f) => f.startsWith('sessions/'))
        .map((f) => f.split('/')[1]),
    );
    expect([...sessionDirs].sort()).toEqual([mine[0]!.id, mine[1]!.id, attemptSession].sort());
    for (const id of sessionDirs) {
      const bundle = JSON.parse(files[`sessions/${id}/bundle.json`]!) as { session: { id: string }; batches: { events: unknown[] }[] };
      expect(bundle.session.id).toBe(id);
      expect(bundle.batches.length).toBeGreaterThan(0);
    }
    expect(files[`sessions/${mine[0]!.id}/bundle.json`]).toContain('my own essay about rivers');
    const profile = JSON.parse(files['profile.json']!);
    expect(profile).toMatchObject({ id: school.student.user.id, email: school.student.user.email, role: 'student' });
    expect(profile.password_hash).toBeUndefined();
    expect(JSON.parse(files['memberships.json']!).length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(files['attempts.json']!)).toMatchObject([{ session_id: attemptSession, state: 'in_progress' }]);
    const flags = JSON.parse(files['flags.json']!);
    expect(flags.flags).toHaveLength(1);
    expect(flags.decisions).toMatchObject([{ decision: 'dismiss', note: 'internal reviewer note', note_to_student: 'note meant for the student' }]);
    expect(JSON.parse(files['answers.json']!)).toMatchObject([{ kind: 'appeal', text: 'I wrote this myself, about rivers.' }]);
    expect(JSON.parse(files['consents.json']!)).toMatchObject([{ version: 1, title: 'Consent', body: 'We record.' }]);
    expect(JSON.parse(files['share-links.json']!)).toMatchObject([{ session_id: mine[0]!.id, created_by_subject: true }]);
    const audit = files['audit.jsonl']!.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['session.create', 'flag.answer', 'consent.agree', 'flag.decide', 'subject-export.request']),
    );
    expect(JSON.parse(files['manifest.json']!)).toMatchObject({ format: 'veritas.subject-access/v1', subjectId: school.student.user.id, requestedAs: 'admin' });

    // Nothing of anyone else: no other session, person, their words, nor who reviewed.
    const everything = Object.values(files).join('\n');
    for (const s of others.sessions) expect(everything).not.toContain(s);
    for (const id of others.ids) expect(everything).not.toContain(id);
    for (const w of others.words) expect(everything).not.toContain(w);
  });

  it('audits every download', async () => {
    const before = await auditCount('subject-export.download');
    expect((await download(school.admin, adminExport.id, adminExport.token)).statusCode).toBe(200);
    expect((await download(school.admin, adminExport.id, adminExport.token)).statusCode).toBe(200);
    expect(await auditCount('subject-export.download')).toBe(before + 2);
  });

  it('refuses a wrong role, another institution, a missing sign-in and a tampered token', async () => {
    const { id, token } = adminExport;
    for (const p of [school.teacher, school.observer, school.otherStudent, school.student, school.stranger]) {
      const r = await download(p, id, token);
      expect(r.statusCode, `${p.user.role} ${r.body}`).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/v1/subject-exports/${id}`, headers: p.headers })).statusCode).toBe(404);
    }
    expect((await download(undefined, id, token)).statusCode).toBe(401);
    const tampered = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    const r = await download(school.admin, id, tampered);
    expect(r.statusCode).toBe(403);
    expect(r.json().type).toBe('urn:veritas:problem:export-token-invalid');
    expect((await download(school.admin, id, token.slice(1))).statusCode).toBe(400);
    const bare = await t.app.inject({ method: 'GET', url: `/v1/subject-exports/${id}/archive`, headers: school.admin.headers });
    expect(bare.statusCode).toBe(403);
    expect(bare.json().type).toBe('urn:veritas:problem:export-token-invalid');
    // Only admins ask for someone else's.
    for (const p of [school.teacher, school.student])
      expect(
        (await t.app.inject({ method: 'POST', url: `/v1/admin/users/${school.otherStudent.user.id}/subject-export`, headers: p.headers })).statusCode,
      ).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: `/v1/admin/users/${school.student.user.id}/subject-export`, headers: school.stranger.headers })).statusCode,
    ).toBe(404);
  });

  it('gives a person their own, with the decisions as they see them', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/me/subject-export', headers: school.student.headers });
    expect(r.statusCode, r.body).toBe(202);
    const created = r.json() as Created;
    await built(school.student, created);
    const files = unzip((await download(school.student, created.id, created.token)).rawPayload);
    const flags = JSON.parse(files['flags.json']!);
    expect(flags.decisions).toHaveLength(1);
    expect(flags.decisions[0].note_to_student).toBe('note meant for the student');
    expect(flags.decisions[0]).not.toHaveProperty('note');
    expect(Object.values(files).join('\n')).not.toContain('internal reviewer note');
    // The institution's admins follow it too; another student does not.
    expect((await t.app.inject({ method: 'GET', url: `/v1/subject-exports/${created.id}`, headers: school.admin.headers })).statusCode).toBe(200);
    expect((await download(school.otherStudent, created.id, created.token)).statusCode).toBe(404);
  });

  it('answers export-not-ready while building, and the link expires: refused, then the archive is deleted', async () => {
    const r = await t.app.inject({ method: 'POST', url: `/v1/admin/users/${school.otherStudent.user.id}/subject-export`, headers: school.admin.headers });
    const created = r.json() as Created;
    await built(school.admin, created);
    const row = await db().selectFrom('subject_exports').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    const blob = t.app.services.blobs;
    expect(await blob.exists(row.blob_key!)).toBe(true);

    await db().updateTable('subject_exports').set({ status: 'running' }).where('id', '=', created.id).execute();
    const early = await download(school.admin, created.id, created.token);
    expect(early.statusCode).toBe(409);
    expect(early.json().type).toBe('urn:veritas:problem:export-not-ready');
    await db().updateTable('subject_exports').set({ status: 'done' }).where('id', '=', created.id).execute();
    expect((await download(school.admin, created.id, created.token)).statusCode).toBe(200);

    await db()
      .updateTable('subject_exports')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', created.id)
      .execute();
    const late = await download(school.admin, created.id, created.token);
    expect(late.statusCode).toBe(410);
    expect(late.json().type).toBe('urn:veritas:problem:link-invalid');

    const expiredBefore = await auditCount('subject-export.expire');
    expect(await t.app.services.subjectExports.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await blob.exists(row.blob_key!)).toBe(false);
    expect(await auditCount('subject-export.expire')).toBeGreaterThan(expiredBefore);
    const after = await t.app.inject({ method: 'GET', url: `/v1/subject-exports/${created.id}`, headers: school.admin.headers });
    expect(after.json().status).toBe('expired');
    // Erasing a person ends their archives' links at once.
    const erased = await buildPerson(t.app, school.tenant, 'student');
    const theirs = (
      await t.app.inject({ method: 'POST', url: `/v1/admin/users/${erased.user.id}/subject-export`, headers: school.admin.headers })
    ).json() as Created;
    await built(school.admin, theirs);
    expect((await t.app.inject({ method: 'POST', url: `/v1/admin/users/${erased.user.id}/erasure`, headers: school.admin.headers })).statusCode).toBe(200);
    expect((await download(school.admin, theirs.id, theirs.token)).statusCode).toBe(410);
    // The others' archives, not expired, are still there.
    const kept = await db().selectFrom('subject_exports').select(['blob_key']).where('id', '=', adminExport.id).executeTakeFirstOrThrow();
    expect(await blob.exists(kept.blob_key!)).toBe(true);
  });
});
