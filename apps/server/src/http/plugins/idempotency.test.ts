import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { genesisHash, macKeyFromToken, sealBatch } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import type { Person } from '../../testing/people';
import { typingEvents } from '../../testing/batches';
import { TEST_DB } from '../../testing/test-database';
import { createIdempotencyService, IDEMPOTENCY_TTL_MS, IN_FLIGHT_STALE_MS } from '../../modules/idempotency';

/** Idempotency-Key on creating routes (issue 14): a retried create returns the first answer. */
let t: TestApp;
let s: Institution;
let classId: string;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
const call = (who: Person | undefined, key: string | undefined, opts: InjectOptions) =>
  t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(who ? who.headers : {}), ...(key !== undefined ? { 'idempotency-key': key } : {}) } });
const newKey = () => crypto.randomUUID();
function expectProblem(r: { statusCode: number; json(): { type: string } }, status: number, code: string) {
  expect(r.statusCode, JSON.stringify(r.json())).toBe(status);
  expect(r.json().type).toBe(`urn:veritas:problem:${code}`);
}
const count = async (table: 'sessions' | 'exams' | 'classes' | 'attempts') =>
  Number(
    (
      await t.app.services.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const examBody = (title: string) => ({
  title,
  instructions: 'Write about a river.',
  kind: 'writing',
  maxScore: 20,
  passMark: 10,
  durationMinutes: 60,
  opensAt: iso(-HOUR),
  closesAt: iso(3 * HOUR),
  classIds: [classId],
});

describe(`Idempotency-Key on creates (${TEST_DB})`, () => {
  beforeAll(async () => {
    t = await createTestApp({ publicSessions: true });
    s = await buildInstitution(t.app);
    classId = (await t.app.services.database.db.selectFrom('classes').select('id').where('teacher_id', '=', s.teacher.user.id).executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => t?.close());

  it('answers a retried session create with the first answer, write token included, and creates one session', async () => {
    const key = newKey();
    const before = await count('sessions');
    const first = await call(undefined, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await call(undefined, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/application\/json/);
    expect(again.json()).toEqual(first.json());
    expect(await count('sessions')).toBe(before + 1);
    // Without a key each call creates.
    await call(undefined, undefined, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    await call(undefined, undefined, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    expect(await count('sessions')).toBe(before + 3);
  });

  it('creates once when two identical requests race: the other is told to retry or gets the first answer', async () => {
    const key = newKey();
    const before = await count('sessions');
    const answers = await Promise.all([1, 2, 3].map(() => call(s.teacher, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } })));
    const created = answers.filter((r) => r.statusCode === 201);
    for (const r of answers.filter((a) => a.statusCode !== 201)) expectProblem(r, 409, 'idempotency-in-flight');
    expect(new Set(created.map((r) => r.json().id)).size).toBe(1);
    expect(await count('sessions')).toBe(before + 1);
  });

  it('keeps the stored answer unreadable without the key: the write token is not in the table', async () => {
    const key = newKey();
    const first = await call(s.teacher, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    expect(first.statusCode).toBe(201);
    const rows = await t.app.services.database.db.selectFrom('idempotency_records').selectAll().execute();
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(first.json().writeToken);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(first.json().id);
  });

  it('refuses the same key for a different request (422) and on another route', async () => {
    const key = newKey();
    expect((await call(s.teacher, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } })).statusCode).toBe(201);
    expectProblem(await call(s.teacher, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } }), 422, 'idempotency-key-reused');
    expectProblem(await call(s.teacher, key, { method: 'POST', url: '/v1/exams', payload: examBody('Rivers') }), 422, 'idempotency-key-reused');
  });

  it('treats the same key from another caller as another request: no one reads someone else’s answer', async () => {
    const key = newKey();
    const mine = await call(s.teacher, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    const theirs = await call(s.otherTeacher, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    const stranger = await call(s.stranger, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    const anonymous = await call(undefined, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    const ids = [mine, theirs, stranger, anonymous].map((r) => {
      expect(r.statusCode).toBe(201);
      expect(r.headers['idempotent-replayed']).toBeUndefined();
      return r.json().id;
    });
    expect(new Set(ids).size).toBe(4);
  });

  it('creates one exam and one class for a retried create', async () => {
    const examKey = newKey();
    const exams = await count('exams');
    const body = examBody('Once'); // the same body: its window is computed once
    const e1 = await call(s.teacher, examKey, { method: 'POST', url: '/v1/exams', payload: body });
    const e2 = await call(s.teacher, examKey, { method: 'POST', url: '/v1/exams', payload: body });
    expect([e1.statusCode, e2.statusCode]).toEqual([201, 201]);
    expect(e2.json().id).toBe(e1.json().id);
    expect(await count('exams')).toBe(exams + 1);

    const classKey = newKey();
    const classes = await count('classes');
    const c1 = await call(s.teacher, classKey, { method: 'POST', url: '/v1/classes', payload: { name: 'Retried class' } });
    const c2 = await call(s.teacher, classKey, { method: 'POST', url: '/v1/classes', payload: { name: 'Retried class' } });
    expect([c1.statusCode, c2.statusCode]).toEqual([201, 201]);
    expect(c2.json().id).toBe(c1.json().id);
    expect(await count('classes')).toBe(classes + 1);
  });

  it('gives a retried attempt start the first write token, which still writes (no rotation)', async () => {
    const exam = await call(s.teacher, undefined, { method: 'POST', url: '/v1/exams', payload: examBody('Attempted') });
    const url = `/v1/exams/${exam.json().id}/attempts`;
    const key = newKey();
    const first = await call(s.student, key, { method: 'POST', url });
    const retried = await call(s.student, key, { method: 'POST', url });
    expect(first.statusCode).toBe(201);
    expect(retried.statusCode).toBe(201);
    expect(retried.json().writeToken).toBe(first.json().writeToken);
    const sessionId = first.json().attempt.sessionId as string;
    const batch = await sealBatch(typingEvents('a river', 0, 0), await genesisHash(sessionId), await macKeyFromToken(first.json().writeToken));
    const sent = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${sessionId}/events`,
      headers: { authorization: `Bearer ${first.json().writeToken}` },
      payload: batch,
    });
    expect(sent.statusCode, sent.body).toBe(200);
    // A resume without the key is a new request: it rotates the token, as before.
    const resumed = await call(s.student, undefined, { method: 'POST', url });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json().writeToken).not.toBe(first.json().writeToken);
  });

  it('frees the key when the first request fails, so a corrected retry runs', async () => {
    const key = newKey();
    const wrong = { ...examBody('Unknown class'), classIds: ['c-does-not-exist'] };
    const failed = await call(s.teacher, key, { method: 'POST', url: '/v1/exams', payload: wrong });
    expect(failed.statusCode).toBeGreaterThanOrEqual(400);
    expect(failed.headers['idempotent-replayed']).toBeUndefined();
    const fixed = await call(s.teacher, key, { method: 'POST', url: '/v1/exams', payload: examBody('Known class') });
    expect(fixed.statusCode).toBe(201);
  });

  it('never claims a key for a refused or malformed request', async () => {
    const key = newKey();
    expect((await call(s.student, key, { method: 'POST', url: '/v1/exams', payload: examBody('Not mine') })).statusCode).toBe(403);
    expect((await call(s.teacher, key, { method: 'POST', url: '/v1/exams', payload: { title: 1 } })).statusCode).toBe(400);
    expect((await call(s.teacher, key, { method: 'POST', url: '/v1/exams', payload: examBody('Mine') })).statusCode).toBe(201);
  });

  it('refuses a key that is empty, too long or not visible ASCII, naming the header', async () => {
    for (const bad of ['x'.repeat(256), 'has space', 'ключ', '""']) {
      const r = await call(s.teacher, bad, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
      expect(r.statusCode, bad).toBe(400);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(r.json().type).toMatch(/idempotency-key-invalid|invalid-request/);
    }
    // An RFC 8941 string (quoted) is the same key as its content.
    const key = newKey();
    const quoted = await call(s.teacher, `"${key}"`, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    const bare = await call(s.teacher, key, { method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    expect(bare.headers['idempotent-replayed']).toBe('true');
    expect(bare.json().id).toBe(quoted.json().id);
  });

  it('says "in flight" while the first runs, lets a retry take over a claim its process left, and forgets after a day', async () => {
    let now = new Date('2026-12-01T10:00:00Z');
    const store = createIdempotencyService(t.app.services.database, () => now);
    const request = { key: newKey(), principal: `test|${newKey()}`, tenantId: null, fingerprint: 'f1' };
    const first = await store.begin(request);
    expect(first.outcome.kind).toBe('claimed');
    expect((await store.begin(request)).outcome.kind).toBe('in-flight');
    now = new Date(now.getTime() + IN_FLIGHT_STALE_MS + 1000);
    const taken = await store.begin(request);
    expect(taken.outcome.kind).toBe('claimed');
    await store.complete(taken.lookupHash, request.key, 201, 'application/json', '{"ok":true}');
    expect((await store.begin(request)).outcome).toEqual({ kind: 'replay', status: 201, contentType: 'application/json', body: '{"ok":true}' });
    expect((await store.begin({ ...request, key: `${request.key}x` })).outcome.kind).toBe('claimed');
    now = new Date(now.getTime() + IDEMPOTENCY_TTL_MS + 1000);
    expect(await store.purgeExpired()).toBeGreaterThanOrEqual(2);
    expect((await store.begin(request)).outcome.kind).toBe('claimed');
  });

  it('refuses to replay a stored answer that was altered', async () => {
    const store = createIdempotencyService(t.app.services.database);
    const request = { key: newKey(), principal: `test|${newKey()}`, tenantId: null, fingerprint: 'f' };
    const { lookupHash } = await store.begin(request);
    await store.complete(lookupHash, request.key, 201, 'application/json', '{"writeToken":"secret"}');
    const db = t.app.services.database.db;
    const row = await db.selectFrom('idempotency_records').select('sealed_answer').where('lookup_hash', '=', lookupHash).executeTakeFirstOrThrow();
    const parts = row.sealed_answer!.split('.');
    parts[3] = parts[3]!.startsWith('A') ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`;
    await db
      .updateTable('idempotency_records')
      .set({ sealed_answer: parts.join('.') })
      .where('lookup_hash', '=', lookupHash)
      .execute();
    expect((await store.begin(request)).outcome.kind).toBe('reused');
  });
});
