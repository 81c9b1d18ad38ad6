import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, recordAs, type Institution, type Recorded } from '../../testing/institution';
import { DEFAULT_SHARE_DAYS } from './share-links.service';
import { linkedAudit } from '../../testing/linked-audit';

let t: TestApp;
let school: Institution;
let session: Recorded;
let other: Recorded;

beforeAll(async () => {
  t = await createTestApp({ publicUrl: 'https://veritas.example.edu' });
  school = await buildInstitution(t.app);
  session = await recordAs(t.app, school.student, { end: false });
  other = await recordAs(t.app, school.student, { end: false });
}, 180_000);
afterAll(async () => t?.close());

const db = () => t.app.services.database.db;
const create = (sessionId: string, payload: unknown = {}) =>
  t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/share-links`, headers: school.teacher.headers, payload: payload as object });

describe(`share links (${TEST_DB})`, () => {
  it('shows the token once, in a link to the share page, and stores only its SHA-256', async () => {
    const before = Date.now();
    const r = await create(session.id);
    expect(r.statusCode, r.body).toBe(201);
    const link = r.json();
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.url).toBe(`https://veritas.example.edu/shared/${session.id}?share=${link.token}`);
    expect(link).toMatchObject({ sessionId: session.id, scope: 'both', state: 'active', createdBy: school.teacher.user.id, revokedAt: null, lastUsedAt: null });
    // Thirty days unless asked otherwise.
    const expires = Date.parse(link.expiresAt) - before;
    expect(Math.abs(expires - DEFAULT_SHARE_DAYS * 86_400_000)).toBeLessThan(60_000);
    const stored = await db().selectFrom('share_links').selectAll().where('id', '=', link.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(createHash('sha256').update(link.token).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(link.token);
    expect(stored.tenant_id).toBe(school.tenant.id);
    const listed = await t.app.inject({ method: 'GET', url: `/v1/sessions/${session.id}/share-links`, headers: school.teacher.headers });
    expect(listed.body).not.toContain(link.token);
  });

  it('takes 1 to 365 days and nothing else', async () => {
    const week = (await create(session.id, { expiresInDays: 7 })).json();
    expect(Math.round((Date.parse(week.expiresAt) - Date.parse(week.createdAt)) / 86_400_000)).toBe(7);
    for (const body of [
      { expiresInDays: 0 },
      { expiresInDays: 366 },
      { expiresInDays: 1.5 },
      { expiresInDays: '7' },
      { sessionId: other.id },
      { token: 'x' },
      { scope: 'events' },
      { scope: ['replay'] },
    ]) {
      const r = await create(session.id, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
    }
  });

  it('opens its own session only, by ?share= or X-Veritas-Share, and not once a bearer credential is sent instead', async () => {
    const { token } = (await create(session.id)).json();
    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/sessions/${session.id}/events?share=${token}`,
      headers: { 'x-request-id': `sl-read-${TEST_DB}` },
    });
    expect(read.statusCode).toBe(200);
    // The read is audited once, under the link's id (by the route itself), and the token is nowhere in the trail.
    const entries = await (await linkedAudit(t.app.services)).selectFrom('audit_log').selectAll().where('request_id', '=', `sl-read-${TEST_DB}`).execute();
    expect(entries).toMatchObject([
      { action: 'session.events.read', actor_kind: 'session-reader', auth_method: 'share-link', detail: { after: -1, limit: 500 } },
    ]);
    expect(JSON.stringify(entries)).not.toContain(token);
    expect((await t.app.inject({ method: 'GET', url: `/v1/sessions/${session.id}/replay`, headers: { 'x-veritas-share': token } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/v1/sessions/${other.id}/events?share=${token}` })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/sessions/${session.id}/events?share=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }))
        .statusCode,
    ).toBe(404);
    // The person's own credential decides when there is one: this one reads nothing of that class.
    const stranger = await t.app.inject({ method: 'GET', url: `/v1/sessions/${session.id}/events?share=${token}`, headers: school.otherStudent.headers });
    expect(stranger.statusCode).toBe(404);
  });

  it('notes its last use at most once a minute', async () => {
    const { id, token } = (await create(session.id)).json();
    const lastUsed = async () => (await db().selectFrom('share_links').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;
    const use = () => t.app.inject({ method: 'GET', url: `/v1/sessions/${session.id}?share=${token}` });
    expect(await lastUsed()).toBeNull();
    await use();
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await use();
    expect(await lastUsed()).toEqual(first);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await db().updateTable('share_links').set({ last_used_at: twoMinutesAgo }).where('id', '=', id).execute();
    await use();
    expect((await lastUsed())!.getTime()).toBeGreaterThan(twoMinutesAgo.getTime() + 60_000);
  });

  it('lists links newest first with their state; revoking twice answers the same and is audited once; an unknown link is 404', async () => {
    const fresh = await t.app.inject({ method: 'POST', url: `/v1/sessions/${other.id}/share-links`, headers: school.admin.headers, payload: {} });
    const expired = await t.app.inject({ method: 'POST', url: `/v1/sessions/${other.id}/share-links`, headers: school.admin.headers, payload: {} });
    await db()
      .updateTable('share_links')
      .set({ expires_at: new Date(Date.now() - 1) })
      .where('id', '=', expired.json().id)
      .execute();
    const url = (linkId: string) => `/v1/sessions/${other.id}/share-links/${linkId}`;
    const first = await t.app.inject({ method: 'DELETE', url: url(fresh.json().id), headers: { ...school.admin.headers, 'x-request-id': `sl-${TEST_DB}-1` } });
    const second = await t.app.inject({ method: 'DELETE', url: url(fresh.json().id), headers: { ...school.admin.headers, 'x-request-id': `sl-${TEST_DB}-2` } });
    expect(first.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    const revokes = await t.app.services.audit.search({ tenantId: school.tenant.id, action: 'share-link.revoke', resourceId: fresh.json().id, limit: 10 });
    expect(revokes.map((e) => e.request_id)).toEqual([`sl-${TEST_DB}-1`]);
    expect((await t.app.inject({ method: 'DELETE', url: url('sl_AAAAAAAAAAAAAAAA'), headers: school.admin.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: url('not-a-link'), headers: school.admin.headers })).statusCode).toBe(400);

    const listed = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${other.id}/share-links`, headers: school.admin.headers })).json();
    expect(listed.items.map((l: { id: string; state: string }) => [l.id, l.state])).toEqual([
      [expired.json().id, 'expired'],
      [fresh.json().id, 'revoked'],
    ]);
    // A link of one session cannot be revoked through another.
    const onOther = await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${session.id}/share-links/${expired.json().id}`, headers: school.admin.headers });
    expect(onOther.statusCode).toBe(404);
  });

  describe('scopes', () => {
    const REPLAY = ['/events', '/replay', '/bundle'];
    const REPORT = ['/analysis', '/report', '/alerts', '/certificate'];
    const read = (path: string, token: string, requestId?: string) =>
      t.app.inject({
        method: 'GET',
        url: `/v1/sessions/${ended.id}${path}`,
        headers: { 'x-veritas-share': token, ...(requestId ? { 'x-request-id': requestId } : {}) },
      });
    let ended: Recorded;
    beforeAll(async () => {
      ended = await recordAs(t.app, school.student);
    });

    it('a student shares their own session; a link opens only what its scope says, and the server refuses the rest with a problem', async () => {
      const made = async (scope: string) => {
        const r = await t.app.inject({ method: 'POST', url: `/v1/sessions/${ended.id}/share-links`, headers: school.student.headers, payload: { scope } });
        expect(r.statusCode, r.body).toBe(201);
        expect(r.json()).toMatchObject({ scope, createdBy: school.student.user.id });
        return r.json().token as string;
      };
      const tokens = { replay: await made('replay'), report: await made('report'), both: await made('both') };
      for (const [scope, token] of Object.entries(tokens)) {
        // Every link reads the session's header and what it opens.
        expect((await read('', token)).statusCode).toBe(200);
        expect((await read('/share-link', token)).json()).toMatchObject({ viaLink: true, scope });
        for (const path of [...REPLAY, ...REPORT]) {
          const r = await read(path, token);
          const allowed = scope === 'both' || (scope === 'replay' ? REPLAY : REPORT).includes(path);
          if (allowed) expect([200, 202, 404], `${scope} ${path}: ${r.body}`).toContain(r.statusCode);
          if (allowed) expect(r.headers['content-type'] ?? '', `${scope} ${path}`).not.toContain('problem+json');
          if (!allowed) {
            expect(r.statusCode, `${scope} ${path}`).toBe(403);
            expect(r.json()).toMatchObject({ type: 'urn:veritas:problem:outside-share-scope' });
          }
        }
        // The whole of the session's data only through a link that opens both.
        const data = await read('/data?format=json', token);
        expect(data.statusCode, data.body.slice(0, 200)).toBe(scope === 'both' ? 200 : 403);
      }
      // A person's own credential, with no link: they read it all.
      const own = await t.app.inject({ method: 'GET', url: `/v1/sessions/${ended.id}/share-link`, headers: school.student.headers });
      expect(own.json()).toEqual({ viaLink: false, scope: 'both', expiresAt: null });
    });

    it('audits every view through a link once, under the link: as share-link.view where the route does not audit the read itself', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/v1/sessions/${ended.id}/share-links`,
        headers: school.teacher.headers,
        payload: { scope: 'report' },
      });
      const { id, token } = r.json();
      const created = await t.app.services.audit.search({ tenantId: school.tenant.id, action: 'share-link.create', resourceId: id, limit: 5 });
      expect(created).toMatchObject([{ detail: { sessionId: ended.id, scope: 'report' } }]);
      expect((await read('', token, `slv-${TEST_DB}-1`)).statusCode).toBe(200);
      expect((await read('/certificate', token, `slv-${TEST_DB}-2`)).statusCode).not.toBe(403);
      expect((await read('/replay', token, `slv-${TEST_DB}-3`)).statusCode).toBe(403);
      expect((await read('/analysis', token, `slv-${TEST_DB}-4`)).statusCode).not.toBe(403);
      const analysisRead = await (
        await linkedAudit(t.app.services)
      )
        .selectFrom('audit_log')
        .select(['action', 'actor_id'])
        .where('request_id', '=', `slv-${TEST_DB}-4`)
        .execute();
      expect(analysisRead).toEqual(expect.arrayContaining([{ action: 'session.analysis.read', actor_id: id }]));
      expect(analysisRead.length).toBeLessThanOrEqual(1);
      const views = await t.app.services.audit.search({ tenantId: school.tenant.id, action: 'share-link.view', resourceId: id, limit: 10 });
      expect(views.map((v) => [v.request_id, (v.detail as { route: string }).route]).sort()).toEqual([
        [`slv-${TEST_DB}-1`, 'GET /v1/sessions/:id'],
        [`slv-${TEST_DB}-2`, 'GET /v1/sessions/:id/certificate'],
      ]);
      // A refused read is not served, and it is not recorded as a view; the refusal is in the request log.
      expect(JSON.stringify(views)).not.toContain(token);
    });

    it('stops at once when revoked or expired', async () => {
      const { id, token } = (
        await t.app.inject({ method: 'POST', url: `/v1/sessions/${ended.id}/share-links`, headers: school.teacher.headers, payload: { scope: 'replay' } })
      ).json();
      expect((await read('/replay', token)).statusCode).toBe(200);
      await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${ended.id}/share-links/${id}`, headers: school.teacher.headers });
      expect((await read('/replay', token)).statusCode).toBe(404);
      const other = (
        await t.app.inject({ method: 'POST', url: `/v1/sessions/${ended.id}/share-links`, headers: school.teacher.headers, payload: { scope: 'report' } })
      ).json();
      expect((await read('/analysis', other.token)).statusCode).not.toBe(404);
      await db()
        .updateTable('share_links')
        .set({ expires_at: new Date(Date.now() - 1) })
        .where('id', '=', other.id)
        .execute();
      expect((await read('/analysis', other.token)).statusCode).toBe(404);
      expect((await read('', other.token)).statusCode).toBe(404);
    });

    it('an observer cannot create one; a live ticket of a replay-only link reads live, and a report-only link gets none', async () => {
      const observer = await t.app.inject({
        method: 'POST',
        url: `/v1/sessions/${ended.id}/share-links`,
        headers: school.observer.headers,
        payload: { scope: 'both' },
      });
      expect([403, 404]).toContain(observer.statusCode);
      const report = (
        await t.app.inject({ method: 'POST', url: `/v1/sessions/${ended.id}/share-links`, headers: school.teacher.headers, payload: { scope: 'report' } })
      ).json();
      const refused = await t.app.inject({ method: 'POST', url: `/v1/sessions/${ended.id}/live-tickets`, headers: { 'x-veritas-share': report.token } });
      expect(refused.statusCode).toBe(403);
    });
  });
});
