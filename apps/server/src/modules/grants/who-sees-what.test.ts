import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantScope } from '../../kernel/scope';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, recordAs, until, type Institution, type Recorded } from '../../testing/institution';
import { linkedAudit } from '../../testing/linked-audit';

/**
 * Issue 10: who sees what. Every route of a session, asked by everyone who might ask: the people of
 * the institution by role and relation, a person of another institution, no credential (the id
 * alone), write tokens, and share links valid, expired and revoked. Each answer is 2xx or exactly
 * what an unknown id gets (404), or, for a caller who reads the session but whose role may not do
 * the thing, 403 (a person) or 401 (a capability); and each sensitive read or write is in the audit.
 */

let t: TestApp;
let school: Institution;
let main: Recorded;
let publicSession: Recorded;
const links = { valid: '', validId: '', expired: '', revoked: '' };

interface Asker {
  headers: Record<string, string>;
  share?: string;
  /** How the audit names this asker: kind and id. */
  audit?: () => { kind: string; id: string };
}

const ASKERS = [
  'admin',
  'teacher of the class',
  'another teacher',
  'observer of that teacher',
  'another observer',
  'the owning student',
  'another student',
  'person of another tenant',
  'no credential (the id alone)',
  "another session's write token",
  'its own write token',
  'a valid share link',
  'a valid share link (header)',
  'an expired share link',
  'a revoked share link',
] as const;
type AskerName = (typeof ASKERS)[number];

function asker(name: AskerName): Asker {
  const person = (p: Institution['admin']): Asker => ({ headers: p.headers, audit: () => ({ kind: 'user', id: p.user.id }) });
  switch (name) {
    case 'admin':
      return person(school.admin);
    case 'teacher of the class':
      return person(school.teacher);
    case 'another teacher':
      return person(school.otherTeacher);
    case 'observer of that teacher':
      return person(school.observer);
    case 'another observer':
      return person(school.otherObserver);
    case 'the owning student':
      return person(school.student);
    case 'another student':
      return person(school.otherStudent);
    case 'person of another tenant':
      return person(school.stranger);
    case 'no credential (the id alone)':
      return { headers: {} };
    case "another session's write token":
      return { headers: { authorization: `Bearer ${publicSession.writeToken}` } };
    case 'its own write token':
      return { headers: { authorization: `Bearer ${main.writeToken}` }, audit: () => ({ kind: 'session-writer', id: main.id }) };
    case 'a valid share link':
      return { headers: {}, share: links.valid, audit: () => ({ kind: 'session-reader', id: links.validId }) };
    case 'a valid share link (header)':
      return { headers: { 'x-veritas-share': links.valid }, audit: () => ({ kind: 'session-reader', id: links.validId }) };
    case 'an expired share link':
      return { headers: {}, share: links.expired };
    case 'a revoked share link':
      return { headers: {}, share: links.revoked };
  }
}

const READERS: readonly AskerName[] = [
  'admin',
  'teacher of the class',
  'observer of that teacher',
  'the owning student',
  'its own write token',
  'a valid share link',
  'a valid share link (header)',
];
/** Read the session, but their role may not manage share links or delete: people get 403, capabilities 401. */
const CAPABILITIES: readonly AskerName[] = ['its own write token', 'a valid share link', 'a valid share link (header)'];

/** What an asker gets on a route of the session: 2xx when `allowed` holds them, else 404 unless they read it (then 403 or 401). */
function expected(name: AskerName, allowed: readonly AskerName[], ok: number): number {
  if (allowed.includes(name)) return ok;
  if (!READERS.includes(name)) return 404;
  return CAPABILITIES.includes(name) ? 401 : 403;
}

let n = 0;
async function ask(name: AskerName, method: 'GET' | 'POST' | 'DELETE', path: string, payload?: Record<string, unknown>) {
  const a = asker(name);
  const requestId = `wsw-${TEST_DB}-${n++}`;
  const url = a.share ? `${path}${path.includes('?') ? '&' : '?'}share=${encodeURIComponent(a.share)}` : path;
  const r = await t.app.inject({ method, url, headers: { ...a.headers, 'x-request-id': requestId }, ...(payload !== undefined ? { payload } : {}) });
  return { r, requestId, a };
}

async function auditOf(requestId: string) {
  return (await linkedAudit(t.app.services)).selectFrom('audit_log').selectAll().where('request_id', '=', requestId).execute();
}

async function expectAudited(requestId: string, a: Asker, action: string, resourceId: string, where: string) {
  const rows = await auditOf(requestId);
  expect(rows, `${where}: one audit entry`).toHaveLength(1);
  const who = a.audit!();
  expect(rows[0], where).toMatchObject({ tenant_id: school.tenant.id, action, resource_id: resourceId, actor_kind: who.kind, actor_id: who.id });
}

async function shareLink(by: Institution['admin'], sessionId: string): Promise<{ id: string; token: string }> {
  const r = await t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/share-links`, headers: by.headers, payload: {} });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

beforeAll(async () => {
  t = await createTestApp({ rateLimit: { anonymousPerMinute: 100_000 } });
  school = await buildInstitution(t.app);
  main = await recordAs(t.app, school.student);
  publicSession = await recordAs(t.app, undefined, { end: false });
  const valid = await shareLink(school.teacher, main.id);
  links.valid = valid.token;
  links.validId = valid.id;
  const expired = await shareLink(school.admin, main.id);
  await t.app.services.database.db
    .updateTable('share_links')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('id', '=', expired.id)
    .execute();
  links.expired = expired.token;
  const revoked = await shareLink(school.student, main.id);
  expect((await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${main.id}/share-links/${revoked.id}`, headers: school.student.headers })).statusCode).toBe(
    200,
  );
  links.revoked = revoked.token;
  // The analysis is done before the walk, so its routes answer 200.
  await until(async () => (await t.app.services.analysis.status(tenantScope(school.tenant.id), main.id)).status === 'done', 'the analysis');
}, 120_000);
afterAll(async () => t?.close());

/** The reader routes, with the audit action of those that are sensitive reads. */
const READ_ROUTES: [string, string | undefined][] = [
  ['', undefined],
  ['/events', 'session.events.read'],
  ['/replay', 'session.replay.read'],
  ['/bundle', 'session.export'],
  ['/data', 'session.data.export'],
  ['/data?format=csv', 'session.data.export'],
  ['/analysis', 'session.analysis.read'],
  ['/alerts', undefined],
  ['/report', 'session.report.read'],
];

describe(`who sees what (${TEST_DB})`, () => {
  for (const [suffix, action] of READ_ROUTES) {
    it(`GET /v1/sessions/:id${suffix}: ${READERS.join(', ')} read it; everyone else gets 404${action ? `; each read is audited as ${action}` : ''}`, async () => {
      for (const name of ASKERS) {
        const where = `GET ${suffix || '/'} by ${name}`;
        const { r, requestId, a } = await ask(name, 'GET', `/v1/sessions/${main.id}${suffix}`);
        expect(r.statusCode, `${where}: ${r.body.slice(0, 200)}`).toBe(expected(name, READERS, 200));
        if (r.statusCode === 404) expect(r.json().type, where).toBe('urn:veritas:problem:not-found');
        if (r.statusCode === 200 && action) await expectAudited(requestId, a, action, main.id, where);
        // Through a share link, every read is audited: the routes that do not audit it themselves, as a view of the link.
        else if (r.statusCode === 200 && name.startsWith('a valid share link')) await expectAudited(requestId, a, 'share-link.view', a.audit!().id, where);
        else expect(await auditOf(requestId), `${where}: not audited`).toEqual([]);
      }
    });
  }

  it('answers 404 for another tenant’s session exactly as for an unknown id', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA/events', headers: school.stranger.headers });
    const theirs = await t.app.inject({ method: 'GET', url: `/v1/sessions/${main.id}/events`, headers: school.stranger.headers });
    const strip = (b: { detail?: string; requestId?: string }) => ({ ...b, detail: undefined, requestId: undefined });
    expect(theirs.statusCode).toBe(404);
    expect(strip(theirs.json())).toEqual(strip(unknown.json()));
  });

  const MANAGERS: readonly AskerName[] = ['admin', 'teacher of the class', 'the owning student'];

  it('POST /v1/sessions/:id/share-links: admin, the teacher and the owning student create links (audited); an observer 403; capabilities 401; others 404', async () => {
    for (const name of ASKERS) {
      const where = `POST share-links by ${name}`;
      const { r, requestId, a } = await ask(name, 'POST', `/v1/sessions/${main.id}/share-links`, { expiresInDays: 7 });
      expect(r.statusCode, `${where}: ${r.body.slice(0, 200)}`).toBe(expected(name, MANAGERS, 201));
      if (r.statusCode === 201) await expectAudited(requestId, a, 'share-link.create', r.json().id, where);
      else expect(await auditOf(requestId), where).toEqual([]);
    }
  });

  it('GET /v1/sessions/:id/share-links: the same askers list them, never with their tokens', async () => {
    for (const name of ASKERS) {
      const where = `GET share-links by ${name}`;
      const { r } = await ask(name, 'GET', `/v1/sessions/${main.id}/share-links`);
      expect(r.statusCode, `${where}: ${r.body.slice(0, 200)}`).toBe(expected(name, MANAGERS, 200));
      if (r.statusCode === 200) {
        expect(r.body).not.toContain(links.valid);
        expect(r.json().items.map((l: { id: string }) => l.id)).toContain(links.validId);
      }
    }
  });

  it('DELETE /v1/sessions/:id/share-links/:linkId: the same askers revoke (audited), the link stops working at once', async () => {
    for (const name of ASKERS) {
      const where = `DELETE share-link by ${name}`;
      const link = await shareLink(school.admin, main.id);
      const { r, requestId, a } = await ask(name, 'DELETE', `/v1/sessions/${main.id}/share-links/${link.id}`);
      expect(r.statusCode, `${where}: ${r.body.slice(0, 200)}`).toBe(expected(name, MANAGERS, 200));
      const opened = await t.app.inject({ method: 'GET', url: `/v1/sessions/${main.id}?share=${link.token}` });
      if (r.statusCode === 200) {
        expect(r.json().state, where).toBe('revoked');
        await expectAudited(requestId, a, 'share-link.revoke', link.id, where);
        expect(opened.statusCode, `${where}: the revoked link`).toBe(404);
      } else {
        expect(await auditOf(requestId), where).toEqual([]);
        expect(opened.statusCode, `${where}: the link still works`).toBe(200);
      }
    }
  });

  it('DELETE /v1/sessions/:id: admin and the teacher delete it with everything of it (audited with its event count); others change nothing', async () => {
    const DELETERS: readonly AskerName[] = ['admin', 'teacher of the class'];
    const db = t.app.services.database.db;
    const count = async (table: 'events' | 'batches' | 'analyses' | 'alerts' | 'share_links' | 'sessions', id: string) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where(table === 'sessions' ? 'id' : 'session_id', '=', id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (const name of ASKERS) {
      const where = `DELETE session by ${name}`;
      const allowed = DELETERS.includes(name);
      // Those allowed delete a session of their own to delete; the others try the walk's session.
      const target = allowed ? await recordAs(t.app, school.student) : main;
      if (allowed) {
        await shareLink(school.student, target.id);
        await expect.poll(async () => count('analyses', target.id), { timeout: 60_000, interval: 200 }).toBe(1);
        expect(await count('events', target.id)).toBe(target.eventCount);
      }
      const { r, requestId, a } = await ask(name, 'DELETE', `/v1/sessions/${target.id}`);
      expect(r.statusCode, `${where}: ${r.body.slice(0, 200)}`).toBe(expected(name, DELETERS, 204));
      if (allowed) {
        for (const table of ['sessions', 'events', 'batches', 'analyses', 'alerts', 'share_links'] as const)
          expect(await count(table, target.id), `${where}: ${table}`).toBe(0);
        await expectAudited(requestId, a, 'session.delete', target.id, where);
        expect((await auditOf(requestId))[0]!.detail).toMatchObject({ eventCount: target.eventCount });
        const again = await t.app.inject({ method: 'GET', url: `/v1/sessions/${target.id}`, headers: school.admin.headers });
        expect(again.statusCode, `${where}: gone`).toBe(404);
      } else {
        expect(await auditOf(requestId), where).toEqual([]);
        expect(await count('sessions', main.id), `${where}: still there`).toBe(1);
      }
    }
  });
});
