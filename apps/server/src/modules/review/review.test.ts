import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { simulate } from '@veritas/simulator';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { chainBatches, typingEvents } from '../../testing/batches';
import { forgeTokens } from '../../testing/forged-tokens';
import { buildPerson, type Person } from '../../testing/people';
import { buildInstitution, recordAs, until, type Institution } from '../../testing/institution';

let t: TestApp;
let school: Institution;
/** A proctored session of the student with fourteen "several faces" violations; a pasted essay; the other student's session. */
let faces = '';
let pasted = '';
let others = '';

const SEVERAL = 14;

/** Some typing, then `n` reports of several faces a few seconds apart. */
function proctoredEvents(n: number): VeritasEvent[] {
  const typed = typingEvents('an answer typed under a camera');
  const out: VeritasEvent[] = [...typed];
  let seq = typed.length;
  for (let i = 0; i < n; i++)
    out.push({ seq: seq++, t: 10_000 + i * 5_000, type: 'violation', data: { kind: 'multiple_faces', confidence: 0.9 } } as VeritasEvent);
  return out;
}

interface FlagJson {
  id: string;
  sessionId: string;
  kind: string;
  severity: string;
  state: string;
  occurrences: number;
  firstT: number;
  lastT: number;
  firstSeenAt: string;
  occurrenceList: { source: string; seqFrom: number }[];
  decisions: Record<string, unknown>[];
  answers: Record<string, unknown>[];
  firstConfirmedBy?: string | null;
  changedSinceDecision: boolean;
  attemptId: string | null;
}

const get = (url: string, who?: Person | { authorization: string }) =>
  t.app.inject({ method: 'GET', url, headers: who ? ('headers' in who ? who.headers : who) : {} });
const post = (url: string, who: Person | undefined, payload: unknown) =>
  t.app.inject({ method: 'POST', url, headers: who?.headers ?? {}, payload: payload as object });
const flagsOf = async (sessionId: string, who: Person = school.admin): Promise<FlagJson[]> => {
  const r = await get(`/v1/sessions/${sessionId}/flags`, who);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().items;
};
const flagOf = async (sessionId: string, kind: string) => (await flagsOf(sessionId)).find((f) => f.kind === kind);
const decide = (flagId: string, who: Person, body: Record<string, unknown>) => post(`/v1/flags/${flagId}/decisions`, who, body);
/** Waits until the session's analysis has been consolidated: every occurrence of the kind told by the analysis. */
const analysed = (sessionId: string, kind: string) =>
  until(async () => {
    const r = await get(`/v1/sessions/${sessionId}/flags`, school.admin);
    const f = r.statusCode === 200 ? (r.json().items as FlagJson[]).find((x) => x.kind === kind) : undefined;
    return f !== undefined && f.occurrenceList.length > 0 && f.occurrenceList.every((o) => o.source === 'analysis');
  }, `the ${kind} flag of ${sessionId} from its analysis`);

beforeAll(async () => {
  t = await createTestApp({ jobs: { driver: 'embedded', pollIntervalMs: 20, concurrency: 2 } });
  school = await buildInstitution(t.app);
  faces = (await recordAs(t.app, school.student, { events: proctoredEvents(SEVERAL) })).id;
  pasted = (await recordAs(t.app, school.student, { events: simulate('paste', 1, { paragraphs: 2 }).events })).id;
  others = (await recordAs(t.app, school.otherStudent, { events: proctoredEvents(2) })).id;
  await analysed(faces, 'several-faces');
  await analysed(pasted, 'paste-share');
  await analysed(others, 'several-faces');
}, 180_000);
afterAll(async () => t?.close());

describe(`flag review (${TEST_DB})`, () => {
  it('consolidates the alerts of one kind into one flag with its occurrences, first and last time, and highest severity', async () => {
    const flags = await flagsOf(faces);
    const several = flags.filter((f) => f.kind === 'several-faces');
    expect(several).toHaveLength(1);
    const f = several[0]!;
    expect(f.occurrences).toBe(SEVERAL);
    expect(f.occurrenceList).toHaveLength(SEVERAL);
    expect(f.firstT).toBe(10_000);
    expect(f.lastT).toBe(10_000 + (SEVERAL - 1) * 5_000);
    expect(f.severity).toBe('medium');
    expect(f.state).toBe('open');
    // The pasted essay: a high paste-share flag, and its several external pastes as one flag.
    const p = await flagsOf(pasted);
    expect(p.find((x) => x.kind === 'paste-share')?.severity).toBe('high');
    expect(p.filter((x) => x.kind === 'external-paste')).toHaveLength(1);
    expect(p.find((x) => x.kind === 'external-paste')!.occurrences).toBeGreaterThan(1);
  });

  it('re-analysis neither duplicates flags nor touches their review state', async () => {
    const before = await flagOf(faces, 'several-faces');
    const d = await decide(before!.id, school.teacher, { decision: 'dismiss', note: 'a sibling walked past', noteToStudent: 'No concern: dismissed.' });
    expect(d.statusCode, d.body).toBe(200);
    expect(d.json().state).toBe('dismissed');
    const count = async () =>
      Number(
        (
          await t.app.services.database.db
            .selectFrom('review_flags')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('session_id', '=', faces)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const flagsBefore = await count();
    await t.app.services.analysis.run({ sessionId: faces, tenantId: school.tenant.id });
    await t.app.services.analysis.run({ sessionId: faces, tenantId: school.tenant.id });
    expect(await count()).toBe(flagsBefore);
    const after = await flagOf(faces, 'several-faces');
    expect(after).toMatchObject({ id: before!.id, state: 'dismissed', occurrences: SEVERAL, changedSinceDecision: false });
    expect(after!.decisions).toHaveLength(1);
  });

  it('needs a note to confirm and to escalate', async () => {
    const f = (await flagOf(pasted, 'external-paste'))!;
    for (const decision of ['confirm', 'escalate']) {
      const r = await decide(f.id, school.teacher, { decision });
      expect(r.statusCode).toBe(400);
      expect(r.json().type).toBe('urn:veritas:problem:note-required');
    }
    expect((await flagOf(pasted, 'external-paste'))!.state).toBe('open');
  });

  it('counts a high flag as confirmed only after a second, different reviewer', async () => {
    const f = (await flagOf(pasted, 'paste-share'))!;
    expect(f.severity).toBe('high');
    const first = await decide(f.id, school.teacher, { decision: 'confirm', note: 'the essay arrived in two pastes' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ state: 'awaiting_second_review', firstConfirmedBy: school.teacher.user.id });
    const again = await decide(f.id, school.teacher, { decision: 'confirm', note: 'still sure' });
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toBe('urn:veritas:problem:second-reviewer-required');
    const second = await decide(f.id, school.admin, { decision: 'confirm', note: 'agreed after the replay', noteToStudent: 'Confirmed: see your teacher.' });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json().state).toBe('confirmed');
    expect(second.json().decisions.map((d: { to: string; reviewerId: string }) => [d.to, d.reviewerId])).toEqual([
      ['awaiting_second_review', school.teacher.user.id],
      ['confirmed', school.admin.user.id],
    ]);
    // Settled: no further decision but an admin's reopening.
    const late = await decide(f.id, school.teacher, { decision: 'dismiss', note: 'changed my mind' });
    expect(late.statusCode).toBe(409);
    expect(late.json().type).toBe('urn:veritas:problem:invalid-transition');
  });

  it('lets only those who see the session review it: no observer, student, other class, other tenant or owner', async () => {
    const f = (await flagOf(pasted, 'burst-after-return')) ?? (await flagOf(pasted, 'external-paste'))!;
    const body = { decision: 'escalate', note: 'for the exam board' };
    expect((await decide(f.id, school.observer, body)).statusCode).toBe(403);
    expect((await decide(f.id, school.student, body)).statusCode).toBe(403);
    expect((await decide(f.id, school.otherTeacher, body)).statusCode).toBe(404);
    expect((await decide(f.id, school.stranger, body)).statusCode).toBe(404);
    expect((await post(`/v1/flags/${f.id}/decisions`, undefined, body)).statusCode).toBe(401);
    expect((await flagOf(pasted, f.kind))!.state).toBe('open');
    // Reading: the other class's teacher and the other tenant get 404, the observer reads, the student uses /v1/me/flags.
    expect((await get(`/v1/sessions/${pasted}/flags`, school.otherTeacher)).statusCode).toBe(404);
    expect((await get(`/v1/sessions/${pasted}/flags`, school.stranger)).statusCode).toBe(404);
    expect((await get(`/v1/sessions/${pasted}/flags`, school.observer)).statusCode).toBe(200);
    expect((await get(`/v1/sessions/${pasted}/flags`, school.student)).statusCode).toBe(403);
    expect((await get(`/v1/sessions/${pasted}/flags`, school.otherObserver)).statusCode).toBe(404);
  });

  it('refuses a tampered or forged token', async () => {
    const f = (await flagOf(pasted, 'external-paste'))!;
    const token = school.teacher.token;
    // A character of the signature's first bytes changed (the last character may carry only padding bits).
    const [head, payload, sig] = token.split('.') as [string, string, string];
    const tampered = { authorization: `Bearer ${head}.${payload}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}` };
    const forged = await forgeTokens(t.app, school.teacher.user, token);
    for (const h of [tampered, { authorization: `Bearer ${forged.otherKey}` }, { authorization: `Bearer ${forged.algNone}` }]) {
      expect((await get('/v1/review/flags', h)).statusCode).toBe(401);
      expect((await get(`/v1/sessions/${pasted}/flags`, h)).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'POST', url: `/v1/flags/${f.id}/decisions`, headers: h, payload: { decision: 'dismiss' } })).statusCode).toBe(401);
      expect((await get('/v1/me/flags', h)).statusCode).toBe(401);
    }
  });

  it('refuses malformed input with a 400 naming it', async () => {
    const f = (await flagOf(pasted, 'external-paste'))!;
    const bad: unknown[] = [
      {},
      { decision: 'approve', note: 'x' },
      { decision: 'confirm', note: 'x'.repeat(2001) },
      { decision: 'confirm', note: 'nul \u0000 here' },
      { decision: 'confirm', note: '' },
      { decision: 'confirm', note: 'ok', extra: 1 },
    ];
    for (const body of bad) {
      const r = await decide(f.id, school.teacher, body as Record<string, unknown>);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await decide('rv_short', school.teacher, { decision: 'dismiss' })).statusCode).toBe(400);
    expect((await decide('rv_AAAAAAAAAAAAAAAA', school.teacher, { decision: 'dismiss' })).statusCode).toBe(404);
    expect((await get('/v1/review/flags?severity=extreme', school.teacher)).statusCode).toBe(400);
    expect((await get('/v1/review/flags?limit=1000', school.teacher)).statusCode).toBe(400);
    const cursor = await get('/v1/review/flags?cursor=bm90LWEtY3Vyc29y', school.teacher);
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().type).toBe('urn:veritas:problem:invalid-request');
    expect((await post(`/v1/flags/${f.id}/answers`, school.student, { kind: 'excuse', text: 'x' })).statusCode).toBe(400);
    expect((await post(`/v1/flags/${f.id}/answers`, school.student, { kind: 'appeal', text: 'x'.repeat(2001) })).statusCode).toBe(400);
    expect((await flagOf(pasted, 'external-paste'))!.decisions).toHaveLength(0);
  });

  it('queues the flags each reviewer may see, by severity then age, a page at a time', async () => {
    const all = async (who: Person, query = '') => {
      const out: FlagJson[] = [];
      let cursor: string | null = null;
      do {
        const r = await get(`/v1/review/flags?limit=2&state=all${query}${cursor ? `&cursor=${cursor}` : ''}`, who);
        expect(r.statusCode, r.body).toBe(200);
        out.push(...r.json().items);
        cursor = r.json().next;
      } while (cursor);
      return out;
    };
    const teacher = await all(school.teacher);
    expect(new Set(teacher.map((f) => f.sessionId))).toEqual(new Set([faces, pasted]));
    expect(teacher.length).toBe((await flagsOf(faces)).length + (await flagsOf(pasted)).length);
    const rank = { high: 3, medium: 2, low: 1 } as Record<string, number>;
    for (let i = 1; i < teacher.length; i++) {
      const [a, b] = [teacher[i - 1]!, teacher[i]!];
      expect(rank[a.severity]! > rank[b.severity]! || (a.severity === b.severity && a.firstSeenAt <= b.firstSeenAt)).toBe(true);
    }
    expect(new Set(teacher.map((f) => f.id)).size).toBe(teacher.length);
    expect(new Set((await all(school.otherTeacher)).map((f) => f.sessionId))).toEqual(new Set([others]));
    expect(new Set((await all(school.admin)).map((f) => f.sessionId))).toEqual(new Set([faces, pasted, others]));
    expect(new Set((await all(school.observer)).map((f) => f.sessionId))).toEqual(new Set([faces, pasted]));
    expect(await all(school.stranger)).toEqual([]);
    // A teacher's own session's flags are not in their queue (nobody reviews their own), but in the admin's.
    const own = (await recordAs(t.app, school.teacher, { events: proctoredEvents(1), end: false })).id;
    await t.app.services.live.whenIdle();
    expect((await flagsOf(own)).length).toBeGreaterThan(0);
    expect((await all(school.teacher)).some((f) => f.sessionId === own)).toBe(false);
    expect((await all(school.admin)).some((f) => f.sessionId === own)).toBe(true);
    const ownFlag = (await flagsOf(own))[0]!;
    const self = await decide(ownFlag.id, school.teacher, { decision: 'dismiss' });
    expect(self.statusCode).toBe(403);
    await t.app.services.database.db.deleteFrom('sessions').where('id', '=', own).execute();
    expect((await all(school.teacher, '&severity=high')).map((f) => f.kind)).toEqual(['paste-share']);
    // The default queue: what waits for a decision (the dismissed and confirmed flags are not in it).
    const pending = (await get('/v1/review/flags?limit=100', school.teacher)).json().items as FlagJson[];
    expect(pending.every((f) => ['open', 'awaiting_second_review', 'escalated'].includes(f.state))).toBe(true);
    expect(pending.some((f) => f.kind === 'several-faces' && f.sessionId === faces)).toBe(false);
    expect((await get('/v1/review/flags', school.student)).statusCode).toBe(403);
    expect((await get('/v1/review/flags')).statusCode).toBe(401);
  });

  it('lets the student answer a flag about them and see the outcome with the notes meant for them, and no one else', async () => {
    const f = (await flagOf(faces, 'several-faces'))!;
    const r = await post(`/v1/flags/${f.id}/answers`, school.student, { kind: 'explanation', text: 'My brother came in to fetch a charger.' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ flagId: f.id, kind: 'explanation', authorId: school.student.user.id });
    expect((await post(`/v1/flags/${f.id}/answers`, school.otherStudent, { kind: 'appeal', text: 'not mine' })).statusCode).toBe(404);
    expect((await post(`/v1/flags/${f.id}/answers`, school.teacher, { kind: 'appeal', text: 'x' })).statusCode).toBe(403);
    expect((await post(`/v1/flags/${f.id}/answers`, school.stranger, { kind: 'appeal', text: 'x' })).statusCode).toBe(403);
    // A student of another institution: as an unknown flag.
    const elsewhere = await buildPerson(t.app, school.otherTenant, 'student');
    expect((await post(`/v1/flags/${f.id}/answers`, elsewhere, { kind: 'appeal', text: 'x' })).statusCode).toBe(404);
    expect((await get('/v1/me/flags', elsewhere)).json().items).toEqual([]);

    const mine = (await get('/v1/me/flags?limit=100', school.student)).json().items as FlagJson[];
    expect(new Set(mine.map((x) => x.sessionId))).toEqual(new Set([faces, pasted]));
    const seen = mine.find((x) => x.id === f.id)!;
    expect(seen.state).toBe('dismissed');
    expect(seen.decisions).toEqual([
      { id: expect.any(String), decision: 'dismiss', from: 'open', to: 'dismissed', at: expect.any(String), noteToStudent: 'No concern: dismissed.' },
    ]);
    expect(seen.answers).toHaveLength(1);
    expect(seen).not.toHaveProperty('firstConfirmedBy');
    const confirmed = mine.find((x) => x.kind === 'paste-share')!;
    expect(confirmed.state).toBe('confirmed');
    expect(confirmed.decisions.map((d) => d.noteToStudent)).toEqual([null, 'Confirmed: see your teacher.']);
    // The reviewers see the answer with the flag.
    expect((await flagOf(faces, 'several-faces'))!.answers).toEqual([expect.objectContaining({ text: 'My brother came in to fetch a charger.' })]);
    // Another student sees none of it.
    const theirs = (await get('/v1/me/flags?limit=100', school.otherStudent)).json().items as FlagJson[];
    expect(theirs.map((x) => x.sessionId)).toEqual(theirs.map(() => others));
    expect((await get('/v1/me/flags', school.teacher)).statusCode).toBe(403);
  });

  it('takes at most ten answers per flag', async () => {
    const f = (await flagOf(pasted, 'external-paste'))!;
    for (let i = 0; i < 10; i++)
      expect((await post(`/v1/flags/${f.id}/answers`, school.student, { kind: 'appeal', text: `answer ${i}` })).statusCode).toBe(201);
    const r = await post(`/v1/flags/${f.id}/answers`, school.student, { kind: 'appeal', text: 'one more' });
    expect(r.statusCode).toBe(409);
    expect(r.json().type).toBe('urn:veritas:problem:answer-limit');
  });

  it('makes flags of live alerts while the session is still being written', async () => {
    const live = await recordAs(t.app, school.student, { events: proctoredEvents(3), end: false });
    await t.app.services.live.whenIdle();
    const f = (await flagOf(live.id, 'several-faces'))!;
    expect(f).toMatchObject({ occurrences: 3, state: 'open', severity: 'medium' });
    expect(f.occurrenceList.map((o) => o.source)).toEqual(['alert', 'alert', 'alert']);
  });

  it('consolidates concurrent deliveries of the same session once', async () => {
    const db = t.app.services.database.db;
    await db.deleteFrom('review_flags').where('session_id', '=', others).execute();
    const scope = { tenantId: school.tenant.id } as Parameters<typeof t.app.services.review.collect>[0];
    await Promise.all(Array.from({ length: 6 }, (_, i) => t.app.services.review.collect(scope, others, i % 2 === 0 ? 'analysis' : 'alerts')));
    const flags = await flagsOf(others);
    expect(flags.filter((f) => f.kind === 'several-faces')).toHaveLength(1);
    expect(flags.find((f) => f.kind === 'several-faces')!.occurrences).toBe(2);
    expect(new Set(flags.map((f) => f.kind)).size).toBe(flags.length);
  });

  it('decides a flag once under its row lock when two decisions race', async () => {
    const db = t.app.services.database.db;
    const highFlag = async () => {
      const id = `rv_${Math.random().toString(36).slice(2, 10).padEnd(16, 'x')}`;
      const now = new Date();
      await db
        .insertInto('review_flags')
        .values({
          id,
          tenant_id: school.tenant.id,
          session_id: pasted,
          kind: `race-${id}`,
          severity: 'high',
          severity_rank: 3,
          message: 'A race.',
          created_at: now,
          updated_at: now,
        })
        .execute();
      return id;
    };
    const confirm = { decision: 'confirm', note: 'sure' };
    // The same reviewer twice at once (a double click): one first confirmation, one refusal.
    const a = await highFlag();
    const same = await Promise.all([decide(a, school.teacher, confirm), decide(a, school.teacher, confirm)]);
    expect(same.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect((await flagOf(pasted, `race-${a}`))!).toMatchObject({ state: 'awaiting_second_review', decisions: [expect.anything()] });
    // Two reviewers at once: whichever is first, the other is the second reviewer.
    const b = await highFlag();
    const two = await Promise.all([decide(b, school.teacher, confirm), decide(b, school.admin, confirm)]);
    expect(two.map((r) => r.statusCode)).toEqual([200, 200]);
    const settled = (await flagOf(pasted, `race-${b}`))!;
    expect(settled.state).toBe('confirmed');
    expect(settled.decisions.map((d) => d.to)).toEqual(['awaiting_second_review', 'confirmed']);
  });

  it('audits every decision and every answer', async () => {
    const decisions = await t.app.services.audit.search({ tenantId: school.tenant.id, action: 'flag.decide', limit: 100 });
    const answers = await t.app.services.audit.search({ tenantId: school.tenant.id, action: 'flag.answer', limit: 100 });
    const stored = await t.app.services.database.db.selectFrom('review_decisions').select('id').where('tenant_id', '=', school.tenant.id).execute();
    const given = await t.app.services.database.db.selectFrom('review_answers').select('id').where('tenant_id', '=', school.tenant.id).execute();
    expect(stored.length).toBeGreaterThanOrEqual(3);
    expect(decisions.map((d) => d.detail.decisionId).sort()).toEqual(stored.map((d) => d.id).sort());
    expect(answers.map((a) => a.detail.answerId).sort()).toEqual(given.map((a) => a.id).sort());
    expect(decisions.find((d) => d.actor_id === school.admin.user.id)).toMatchObject({ resource_type: 'flag', auth_method: 'password' });
  });

  it('shows a decided flag that grew since as changed, back in the queue, its state as decided until a person acts', async () => {
    const f = (await flagOf(others, 'several-faces'))!;
    const dismissed = await decide(f.id, school.otherTeacher, { decision: 'dismiss' });
    expect(dismissed.json()).toMatchObject({ state: 'dismissed', changedSinceDecision: false });
    // A later alert, as the live analysis stores and tells it, higher than the others.
    await t.app.services.database.db
      .insertInto('alerts')
      .values({
        id: `a-${f.id}`,
        session_id: others,
        tenant_id: school.tenant.id,
        detector: 'several-faces',
        severity: 'high',
        message: 'Three faces.',
        seq_from: 100_000,
        evidence: JSON.stringify({ seqFrom: 100_000, seqTo: 100_000, tFrom: 900_000, tTo: 900_000, excerpt: '' }),
        values: '{}',
      })
      .execute();
    await t.app.services.events.publish('alert.raised', { sessionId: others, scope: { tenantId: school.tenant.id } as never, alerts: [] });
    const grown = (await flagOf(others, 'several-faces'))!;
    expect(grown).toMatchObject({ state: 'dismissed', severity: 'high', occurrences: f.occurrences + 1, changedSinceDecision: true, lastT: 900_000 });
    const pending = (await get('/v1/review/flags?limit=100', school.otherTeacher)).json().items as FlagJson[];
    expect(pending.find((x) => x.id === f.id)).toMatchObject({ state: 'dismissed', changedSinceDecision: true });
    expect((await get('/v1/review/flags?limit=100&state=open', school.otherTeacher)).json().items.some((x: FlagJson) => x.id === f.id)).toBe(false);
    // A person acts: an admin reopens it, and it is a high flag to review like any other.
    const reopened = await decide(f.id, school.admin, { decision: 'reopen', note: 'a third face appeared later' });
    expect(reopened.json()).toMatchObject({ state: 'open', changedSinceDecision: false, severity: 'high' });
  });

  it('names the exam attempt a flag is about (the review pages link to it), null for a session that is no attempt', async () => {
    const db = t.app.services.database.db;
    const cls = await db.selectFrom('classes').select('id').where('teacher_id', '=', school.teacher.user.id).executeTakeFirstOrThrow();
    const now = Date.now();
    const exam = await post('/v1/exams', school.teacher, {
      title: 'An essay with a paste',
      kind: 'writing',
      maxScore: 10,
      passMark: 5,
      durationMinutes: 60,
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 3_600_000).toISOString(),
      classIds: [cls.id],
    });
    expect(exam.statusCode, exam.body).toBe(201);
    const started = await post(`/v1/exams/${exam.json().id}/attempts`, school.student, undefined);
    expect(started.statusCode, started.body).toBe(201);
    const { attempt, session, writeToken } = started.json() as { attempt: { id: string }; session: { id: string }; writeToken: string };
    for (const b of await chainBatches(session.id, simulate('paste', 2, { paragraphs: 2 }).events, 50, writeToken)) {
      const r = await t.app.inject({
        method: 'POST',
        url: `/v1/sessions/${session.id}/events`,
        headers: { authorization: `Bearer ${writeToken}` },
        payload: b,
      });
      expect(r.statusCode, r.body).toBe(200);
    }
    expect((await post(`/v1/attempts/${attempt.id}/submit`, school.student, undefined)).statusCode).toBe(200);
    await analysed(session.id, 'external-paste');

    const flag = (await flagOf(session.id, 'external-paste'))!;
    expect(flag.attemptId).toBe(attempt.id);
    const queue = (await get('/v1/review/flags?limit=100&state=all', school.teacher)).json().items as FlagJson[];
    expect(queue.find((f) => f.id === flag.id)?.attemptId).toBe(attempt.id);
    expect(queue.filter((f) => f.sessionId === pasted).every((f) => f.attemptId === null)).toBe(true);
    const mine = (await get('/v1/me/flags?limit=100', school.student)).json().items as FlagJson[];
    expect(mine.find((f) => f.id === flag.id)?.attemptId).toBe(attempt.id);
    const decided = await decide(flag.id, school.teacher, { decision: 'dismiss' });
    expect(decided.json()).toMatchObject({ state: 'dismissed', attemptId: attempt.id });
  });
});
