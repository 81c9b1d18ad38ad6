import { buildPerson, type Person } from '../../testing/people';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import { openSse, type SseClient } from '../../testing/sse-client';
import { baseOf, send, seqs, studentSession, ticketFor } from '../../testing/live';

describe('who watches a session live', () => {
  let t: TestApp;
  let base: string;
  let school: Institution;
  let clockShift = 0;
  const open: SseClient[] = [];
  const watch = async (url: string, headers: Record<string, string> = {}) => {
    const c = await openSse(`${base}${url}`, headers);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    // A clock the test moves, for tickets that expire; access re-checked every 100 ms.
    t = await createTestApp(
      { live: { heartbeatMs: 600_000, recheckMs: 100, maxBufferedBytes: 64 * 1024 } },
      { clock: () => new Date(Date.now() + clockShift) },
    );
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = baseOf(t.app);
    school = await buildInstitution(t.app);
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await t?.close();
  });

  it('refuses a ticket of another session, an expired or tampered one, an access token in its place, and a ticket as a bearer', async () => {
    const a = await studentSession(t.app, school.student);
    const b = await studentSession(t.app, school.student);
    const ticket = await ticketFor(t.app, school.teacher.headers, a.id);
    const status = async (url: string, headers: Record<string, string> = {}) => (await watch(url, headers)).status;
    expect(await status(`/v1/sessions/${b.id}/live?ticket=${ticket}`)).toBe(401);
    const tampered = ticket.slice(0, -1) + (ticket.endsWith('A') ? 'B' : 'A');
    expect(await status(`/v1/sessions/${a.id}/live?ticket=${tampered}`)).toBe(401);
    // An access token is never taken for a ticket: it is no credential there (and an id is no capability of a tenant's session).
    expect(await status(`/v1/sessions/${a.id}/live?ticket=${school.teacher.token}`)).toBe(404);
    // A ticket is no bearer: taken for a (wrong) write token, which reads nothing of a tenant's session.
    expect(await status(`/v1/sessions/${a.id}/live`, { authorization: `Bearer ${ticket}` })).toBe(404);
    // Nor does it open any other route of its session.
    expect((await t.app.inject({ method: 'GET', url: `/v1/sessions/${a.id}/events?ticket=${ticket}` })).statusCode).toBe(404);
    expect(await status(`/v1/sessions/${a.id}/live?ticket=${ticket}`)).toBe(200);
    clockShift = 61_000;
    try {
      expect(await status(`/v1/sessions/${a.id}/live?ticket=${ticket}`)).toBe(401);
    } finally {
      clockShift = 0;
    }
  });

  it('opens only for the readers of the session: wrong role, other tenant, no credential refused', async () => {
    const s = await studentSession(t.app, school.student);
    const post = (person?: Person) => t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/live-tickets`, headers: person?.headers ?? {} });
    // Granted: the student who owns it, their teacher, that teacher's observer, the admin.
    for (const p of [school.student, school.teacher, school.observer, school.admin]) expect((await post(p)).statusCode).toBe(201);
    // Not granted: another teacher and their observer, another student, another tenant's admin, nobody.
    for (const p of [school.otherTeacher, school.otherObserver, school.otherStudent, school.stranger, undefined]) expect((await post(p)).statusCode).toBe(404);
    expect((await watch(`/v1/sessions/${s.id}/live`, school.otherTeacher.headers)).status).toBe(404);
    expect((await watch(`/v1/sessions/${s.id}/live`, school.stranger.headers)).status).toBe(404);
    expect((await watch(`/v1/sessions/${s.id}/live`)).status).toBe(404);
    // A person's bearer opens it too (a client that can send headers needs no ticket).
    expect((await watch(`/v1/sessions/${s.id}/live`, school.teacher.headers)).status).toBe(200);
  });

  it('closes the stream of a revoked API key, and of a revoked share link, and takes their tickets while they hold', async () => {
    const s = await studentSession(t.app, school.student);
    await send(t.app, s, 0);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: school.admin.headers,
      payload: { name: 'live', scopes: ['sessions:read'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const key = created.json() as { id: string; key: string };
    const keyHeaders = { authorization: `Bearer ${key.key}` };
    const byKey = await watch(`/v1/sessions/${s.id}/live?ticket=${await ticketFor(t.app, keyHeaders, s.id)}`);
    const shared = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/share-links`, headers: school.teacher.headers, payload: {} });
    expect(shared.statusCode, shared.body).toBe(201);
    const link = shared.json() as { id: string; token: string };
    const byLink = await watch(`/v1/sessions/${s.id}/live?share=${link.token}`);
    const linkTicket = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/live-tickets`, headers: { 'x-veritas-share': link.token } });
    expect(linkTicket.statusCode, linkTicket.body).toBe(201);
    const byLinkTicket = await watch(`/v1/sessions/${s.id}/live?ticket=${(linkTicket.json() as { ticket: string }).ticket}`);
    for (const v of [byKey, byLink, byLinkTicket]) await v.until((c) => seqs(c).length === 5, 'the stored events');

    expect((await t.app.inject({ method: 'DELETE', url: `/v1/admin/api-keys/${key.id}`, headers: school.admin.headers })).statusCode).toBeLessThan(300);
    await byKey.until((c) => c.isClosed(), "the key's stream to close", 5_000);
    expect(byLink.isClosed()).toBe(false);
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${s.id}/share-links/${link.id}`, headers: school.teacher.headers })).statusCode,
    ).toBeLessThan(300);
    await byLink.until((c) => c.isClosed(), "the share link's stream to close", 5_000);
    await byLinkTicket.until((c) => c.isClosed(), "the share link's ticket's stream to close", 5_000);
  });

  it('refuses malformed input', async () => {
    const s = await studentSession(t.app, school.student);
    const h = school.teacher.headers;
    expect((await watch(`/v1/sessions/${s.id}/live?after=abc`, h)).status).toBe(400);
    expect((await watch(`/v1/sessions/${s.id}/live?after=-2`, h)).status).toBe(400);
    expect((await watch(`/v1/sessions/${s.id}/live`, { ...h, 'last-event-id': 'x1' })).status).toBe(400);
    expect((await watch(`/v1/sessions/not%20an%20id/live`, h)).status).toBe(400);
    expect((await watch(`/v1/sessions/${s.id}/live?ticket=${'a'.repeat(200)}`, h)).status).toBe(400);
    expect((await watch(`/v1/sessions/${s.id}/live?ticket=${'a'.repeat(200)}`)).status).toBe(404);
  });

  it('closes the stream of a person who is disabled while watching, and refuses their ticket', async () => {
    const s = await studentSession(t.app, school.student);
    await send(t.app, s, 0);
    const admin = await buildPerson(t.app, school.tenant, 'admin');
    const ticket = await ticketFor(t.app, admin.headers, s.id);
    const viewer = await watch(`/v1/sessions/${s.id}/live?ticket=${ticket}`);
    await viewer.until((c) => seqs(c).length === 5, 'the stored events');
    expect(viewer.isClosed()).toBe(false);
    const r = await t.app.inject({ method: 'PATCH', url: `/v1/admin/users/${admin.user.id}`, headers: school.admin.headers, payload: { status: 'disabled' } });
    expect(r.statusCode, r.body).toBe(200);
    await viewer.until((c) => c.isClosed(), 'the stream to close', 5_000);
    expect(viewer.messages.some((m) => m.event === 'end')).toBe(false);
    expect((await watch(`/v1/sessions/${s.id}/live?ticket=${ticket}`)).status).toBe(401);
  });
});
