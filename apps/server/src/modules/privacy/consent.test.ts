import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import { buildPerson, type Person } from '../../testing/people';
import { chainBatches, typingEvents } from '../../testing/batches';
import type { VeritasEvent } from '@veritas/schema';

let t: TestApp;
let school: Institution;

beforeAll(async () => {
  t = await createTestApp();
  school = await buildInstitution(t.app);
});
afterAll(async () => t?.close());

const admin = () => school.admin.headers;

/** A new session of this person's and the answer to its first batch of events. */
async function firstBatch(person: Person | undefined, options: { size?: number; policy?: string } = {}) {
  const size = options.size ?? 100;
  const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: person?.headers ?? {}, payload: { kind: 'writing' } });
  expect(created.statusCode, created.body).toBe(201);
  const { id, writeToken } = created.json() as { id: string; writeToken: string };
  const typed = typingEvents('first words').map((e) => (options.policy ? { ...e, seq: e.seq + 1, t: e.t + 10 } : e));
  const events = options.policy ? [{ seq: 0, t: 0, type: 'consent', data: { policy: options.policy, accepted: true } } as VeritasEvent, ...typed] : typed;
  const batches = await chainBatches(id, events, size, writeToken);
  const send = (i = 0) =>
    t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, headers: { authorization: `Bearer ${writeToken}` }, payload: batches[i] });
  return { id, answer: await send(), send };
}

const eventsOf = async (sessionId: string) =>
  Number(
    (
      await t.app.services.database.db
        .selectFrom('events')
        .select((e) => e.fn.countAll().as('n'))
        .where('session_id', '=', sessionId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('consent', () => {
  it('cannot be required before a text is published', async () => {
    const r = await t.app.inject({ method: 'PUT', url: '/v1/admin/consent', headers: admin(), payload: { required: true } });
    expect(r.statusCode, r.body).toBe(409);
    expect(r.json().type).toBe('urn:veritas:problem:conflict');
  });

  it('refuses the first events of a session whose owner has not agreed while required, and takes them once agreed; a new version asks again', async () => {
    // A session that recorded before the requirement goes on recording: consent is asked of a session's first events.
    const earlier = await firstBatch(school.otherStudent, { size: 4 });
    expect(earlier.answer.statusCode, earlier.answer.body).toBe(200);

    const text = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/consent/texts',
      headers: admin(),
      payload: { title: 'Recording your writing', body: 'We record how you write this essay.\n\nYou may ask for everything we hold.' },
    });
    expect(text.statusCode, text.body).toBe(201);
    expect(text.json()).toMatchObject({ version: 1, title: 'Recording your writing' });
    const required = await t.app.inject({ method: 'PUT', url: '/v1/admin/consent', headers: admin(), payload: { required: true } });
    expect(required.statusCode, required.body).toBe(200);
    expect(required.json()).toMatchObject({ required: true, current: { version: 1 }, texts: [{ version: 1 }] });

    const v1 = text.json().policy as string;
    expect(v1).toBe(`veritas-consent/${text.json().id}/v1`);

    // Required + missing (no consent event first, or one naming another text, or the person never agreed): refused, nothing stored.
    for (const policy of [undefined, 'some-other-policy', v1]) {
      const refused = await firstBatch(school.student, policy ? { policy } : {});
      expect(refused.answer.statusCode, refused.answer.body).toBe(403);
      expect(refused.answer.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.answer.json().type).toBe('urn:veritas:problem:consent-required');
      expect(await eventsOf(refused.id)).toBe(0);
    }
    const notAgreed = await firstBatch(school.student, { policy: v1 });
    expect(notAgreed.answer.json().detail).toMatch(/has not agreed/);

    const mine = await t.app.inject({ method: 'GET', url: '/v1/me/consent', headers: school.student.headers });
    expect(mine.json()).toMatchObject({ required: true, current: { version: 1, title: 'Recording your writing', policy: v1 }, agreement: null });
    const stale = await t.app.inject({ method: 'POST', url: '/v1/me/consent', headers: school.student.headers, payload: { version: 2 } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().type).toBe('urn:veritas:problem:consent-not-current');
    const agreed = await t.app.inject({ method: 'POST', url: '/v1/me/consent', headers: school.student.headers, payload: { version: 1 } });
    expect(agreed.statusCode, agreed.body).toBe(200);
    expect(agreed.json()).toMatchObject({ version: 1, textId: text.json().id });
    const again = await t.app.inject({ method: 'POST', url: '/v1/me/consent', headers: school.student.headers, payload: { version: 1 } });
    expect(again.json()).toEqual(agreed.json());
    expect((await t.app.inject({ method: 'GET', url: '/v1/me/consent', headers: school.student.headers })).json().agreement).toMatchObject({ version: 1 });

    // Agreed: the same batch is taken now; first events without the consent still are not.
    const retried = await notAgreed.send();
    expect(retried.statusCode, retried.body).toBe(200);
    expect(await eventsOf(notAgreed.id)).toBeGreaterThan(0);
    expect((await firstBatch(school.student)).answer.json().type).toBe('urn:veritas:problem:consent-required');
    expect((await firstBatch(school.student, { policy: v1 })).answer.statusCode).toBe(200);
    // The session that started before goes on.
    const next = await earlier.send(1);
    expect(next.statusCode, next.body).toBe(200);

    // A new version: the earlier agreement and policy no longer count.
    const v2text = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/consent/texts',
      headers: admin(),
      payload: { title: 'Recording, v2', body: 'Now with more detail.' },
    });
    const v2 = v2text.json().policy as string;
    expect((await firstBatch(school.student, { policy: v1 })).answer.json().type).toBe('urn:veritas:problem:consent-required');
    expect((await firstBatch(school.student, { policy: v2 })).answer.json().type).toBe('urn:veritas:problem:consent-required');
    expect((await t.app.inject({ method: 'POST', url: '/v1/me/consent', headers: school.student.headers, payload: { version: 2 } })).statusCode).toBe(200);
    expect((await firstBatch(school.student, { policy: v2 })).answer.statusCode).toBe(200);

    // Who agreed to what, and when, is in the audit trail.
    const audit = await t.app.inject({ method: 'GET', url: '/v1/admin/audit?action=consent.agree', headers: admin() });
    expect(audit.statusCode, audit.body).toBe(200);
    expect((audit.json() as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(2);

    // Another institution requires nothing, nor does the public scope.
    expect((await firstBatch(school.stranger)).answer.statusCode).toBe(200);
    expect((await firstBatch(undefined)).answer.statusCode).toBe(200);
  });

  it('accepts sessions of people who never agreed once it is not required', async () => {
    const fresh = await buildPerson(t.app, school.tenant, 'student');
    expect((await firstBatch(fresh)).answer.json().type).toBe('urn:veritas:problem:consent-required');
    expect(
      (await firstBatch(fresh, { policy: (await t.app.inject({ method: 'GET', url: '/v1/me/consent', headers: fresh.headers })).json().current.policy })).answer
        .statusCode,
    ).toBe(403);
    const off = await t.app.inject({ method: 'PUT', url: '/v1/admin/consent', headers: admin(), payload: { required: false } });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().required).toBe(false);
    expect((await firstBatch(fresh)).answer.statusCode).toBe(200);
  });

  it('is set by admins only', async () => {
    for (const p of [school.teacher, school.student, school.observer]) {
      expect((await t.app.inject({ method: 'PUT', url: '/v1/admin/consent', headers: p.headers, payload: { required: true } })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'POST', url: '/v1/admin/consent/texts', headers: p.headers, payload: { title: 'x', body: 'y' } })).statusCode).toBe(
        403,
      );
    }
  });
});
