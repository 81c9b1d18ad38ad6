import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FORMAT, type Bundle, type VeritasEvent } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import type { Person } from '../../testing/people';
import { chainBatches, typingEvents } from '../../testing/batches';

// Consent for uploaded bundles and withdrawing consent (ADR 0029, amendment): where the institution
// requires consent, an upload is asked what ingest asks of a session's first batch; a person who
// withdraws is refused new sessions and uploads until they agree again, and what is stored stays.

let t: TestApp;
let school: Institution;
let policy: string;
let version: number;

beforeAll(async () => {
  t = await createTestApp();
  school = await buildInstitution(t.app);
  const text = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/consent/texts',
    headers: school.admin.headers,
    payload: { title: 'Recording your writing', body: 'We record how you write.' },
  });
  expect(text.statusCode, text.body).toBe(201);
  ({ policy, version } = text.json() as { policy: string; version: number });
  const required = await t.app.inject({ method: 'PUT', url: '/v1/admin/consent', headers: school.admin.headers, payload: { required: true } });
  expect(required.statusCode, required.body).toBe(200);
});
afterAll(async () => t?.close());

const consentEvent = (p: string): VeritasEvent => ({ seq: 0, t: 0, type: 'consent', data: { policy: p, accepted: true } }) as VeritasEvent;

/** A bundle recorded offline, its first event the consent to `withPolicy` (or none). */
async function bundle(withPolicy?: string): Promise<Bundle> {
  const id = `upload${randomBytes(8).toString('hex')}`;
  const typed = typingEvents('written offline').map((e) => (withPolicy ? { ...e, seq: e.seq + 1, t: e.t + 10 } : e));
  const events = withPolicy ? [consentEvent(withPolicy), ...typed] : typed;
  return {
    format: BUNDLE_FORMAT,
    session: { id, kind: 'writing', createdAt: '2026-11-01T10:00:00.000Z', endedAt: '2026-11-01T10:30:00.000Z', meta: { title: 'Offline' } },
    batches: await chainBatches(id, events, 5),
  };
}

const upload = (person: Person | undefined, b: Bundle) => t.app.inject({ method: 'POST', url: '/v1/bundles', headers: person?.headers ?? {}, payload: b });
const stored = async (id: string) =>
  (await t.app.services.database.db.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
const eventsOf = async (id: string) => (await t.app.services.database.db.selectFrom('events').select('seq').where('session_id', '=', id).execute()).length;

/** A live session of this person's, and the answer to its first batch (the consent first when `withPolicy`). */
async function liveFirstBatch(person: Person, withPolicy?: string) {
  const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: person.headers, payload: { kind: 'writing' } });
  expect(created.statusCode, created.body).toBe(201);
  const { id, writeToken } = created.json() as { id: string; writeToken: string };
  const typed = typingEvents('live words').map((e) => (withPolicy ? { ...e, seq: e.seq + 1, t: e.t + 10 } : e));
  const [first] = await chainBatches(id, withPolicy ? [consentEvent(withPolicy), ...typed] : typed, 100, writeToken);
  const answer = await t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, headers: { authorization: `Bearer ${writeToken}` }, payload: first });
  return { id, answer };
}

const agree = (person: Person) => t.app.inject({ method: 'POST', url: '/v1/me/consent', headers: person.headers, payload: { version } });
const withdraw = (person: Person) => t.app.inject({ method: 'POST', url: '/v1/me/consent/withdraw', headers: person.headers });

describe('consent for uploaded bundles', () => {
  it('refuses an upload without the consent event or by a person who has not agreed, with the problem ingest answers; takes it once both hold', async () => {
    const student = school.student;
    for (const [what, b] of [
      ['no consent event', await bundle()],
      ['the consent to another text', await bundle('some-other-policy')],
      ['the consent, but the person never agreed', await bundle(policy)],
    ] as const) {
      const r = await upload(student, b);
      expect(r.statusCode, `${what}: ${r.body}`).toBe(403);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(r.json().type, what).toBe('urn:veritas:problem:consent-required');
      expect(await stored(b.session.id), what).toBe(false);
    }
    expect((await agree(student)).statusCode).toBe(200);
    expect((await upload(student, await bundle())).json().type).toBe('urn:veritas:problem:consent-required');
    const ok = await upload(student, await bundle(policy));
    expect(ok.statusCode, ok.body).toBe(201);
    // Where nothing is required (another institution, an anonymous upload), nothing is asked.
    expect((await upload(school.stranger, await bundle())).statusCode).toBe(201);
    expect((await upload(undefined, await bundle())).statusCode).toBe(201);
  });
});

describe('withdrawing consent', () => {
  it('refuses new sessions and uploads afterwards, keeps what is stored, is audited, and agreeing again lets the person record', async () => {
    const student = school.otherStudent;
    const first = await agree(student);
    expect(first.statusCode, first.body).toBe(200);
    const before = await liveFirstBatch(student, policy);
    expect(before.answer.statusCode, before.answer.body).toBe(200);
    const uploadedBefore = await bundle(policy);
    expect((await upload(student, uploadedBefore)).statusCode).toBe(201);
    const storedEvents = await eventsOf(before.id);
    expect(storedEvents).toBeGreaterThan(0);

    const r = await withdraw(student);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ required: true, current: { version, policy }, agreement: null, withdrawn: [version] });
    expect((await t.app.inject({ url: '/v1/me/consent', headers: student.headers })).json().agreement).toBeNull();
    // Withdrawing again withdraws nothing and records nothing.
    expect((await withdraw(student)).json().withdrawn).toEqual([]);

    // New sessions and uploads are refused; nothing of them is stored.
    const refused = await liveFirstBatch(student, policy);
    expect(refused.answer.statusCode, refused.answer.body).toBe(403);
    expect(refused.answer.json()).toMatchObject({ type: 'urn:veritas:problem:consent-required', detail: expect.stringMatching(/has not agreed/) });
    expect(await eventsOf(refused.id)).toBe(0);
    const refusedUpload = await bundle(policy);
    expect((await upload(student, refusedUpload)).json().type).toBe('urn:veritas:problem:consent-required');
    expect(await stored(refusedUpload.session.id)).toBe(false);

    // What was stored before stays (until retention or an erasure removes it).
    expect(await eventsOf(before.id)).toBe(storedEvents);
    expect(await stored(uploadedBefore.session.id)).toBe(true);

    // The withdrawal is in the audit trail, once, with the versions withdrawn.
    const audit = await t.app.inject({ url: `/v1/admin/audit?action=consent.withdraw&actorId=${student.user.id}`, headers: school.admin.headers });
    expect(audit.statusCode, audit.body).toBe(200);
    expect(audit.json().items).toMatchObject([
      { action: 'consent.withdraw', resource: { type: 'user', id: student.user.id }, detail: { versions: [version] } },
    ]);

    // Agreeing again is a new agreement (the withdrawn one stays on record), and the person records again.
    const again = await agree(student);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().id).not.toBe(first.json().id);
    expect((await liveFirstBatch(student, policy)).answer.statusCode).toBe(200);
    const rows = await t.app.services.database.db
      .selectFrom('consent_agreements')
      .select(['version', 'withdrawn_at'])
      .where('user_id', '=', student.user.id)
      .orderBy('agreed_at')
      .execute();
    expect(rows.map((row) => [row.version, row.withdrawn_at === null])).toEqual([
      [version, false],
      [version, true],
    ]);
  });

  it('needs a signed-in person', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/v1/me/consent/withdraw' })).statusCode).toBe(401);
  });
});
