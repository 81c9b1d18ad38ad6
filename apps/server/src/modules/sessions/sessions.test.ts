import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBundle, verifyChain, macKeyFromToken } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { chainBatches, typingEvents } from '../../testing/batches';
import { listEvents } from './events.repository';
import { listBatches } from './batches.repository';
import { tenantScope } from '../../kernel/scope';
import { TEST_DB } from '../../testing/test-database';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function recorded(text: string, batchSize = 5) {
  const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing', meta: { title: 'T', prompt: 'Write' } } });
  const s = created.json();
  for (const b of await chainBatches(s.id, typingEvents(text), batchSize, s.writeToken)) {
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: b });
  }
  return s as { id: string; writeToken: string };
}

describe('sessions', () => {
  it('creates an anonymous session with an unguessable id, a write token and links', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } });
    expect(r.statusCode).toBe(201);
    const s = r.json();
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(s.writeToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s).toMatchObject({ kind: 'sensor', status: 'active', ack: -1, eventCount: 0 });
    expect(s.links.view).toContain(`/replay/${s.id}`);
    expect(s.links.ingest).toMatch(/^ws:\/\/.*\/ingest$/);
    const other = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } })).json();
    expect(other.id).not.toBe(s.id);
    // The stored row keeps only the token's hash.
    const row = await t.db.database.db.selectFrom('sessions').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow();
    expect(row.write_key).not.toContain(s.writeToken);
  });

  it('reads metadata and pages through events', async () => {
    const s = await recorded('paging through events');
    const meta = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}` })).json();
    expect(meta).toMatchObject({ id: s.id, ack: 20, eventCount: 21, status: 'active', meta: { title: 'T', prompt: 'Write' } });
    const seen: number[] = [];
    let after = -1;
    for (;;) {
      const page = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/events?after=${after}&limit=8` })).json();
      seen.push(...page.items.map((e: { seq: number }) => e.seq));
      if (page.next === null) break;
      after = page.next;
    }
    expect(seen).toEqual([...Array(21).keys()]);
    const bad = await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/events?limit=0` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().type).toBe('urn:veritas:problem:invalid-request');
  });

  it('ends a session only with its write token, idempotently', async () => {
    const s = await recorded('end me');
    const anon = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end` });
    expect(anon.statusCode).toBe(401);
    const tampered = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${s.id}/end`,
      headers: { authorization: `Bearer ${s.writeToken.slice(0, -2)}xx` },
    });
    expect(tampered.statusCode).toBe(401);
    const r1 = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } });
    expect(r1.statusCode).toBe(200);
    expect(r1.json().status).toBe('ended');
    const r2 = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } });
    expect(r2.json().endedAt).toBe(r1.json().endedAt);
  });

  it('keeps no credential of an ended session in memory, and a late batch for it is still refused', async () => {
    const credentials = t.app.services.credentials;
    const sessions = await Promise.all(['one', 'two', 'three'].map((w) => recorded(`cached ${w}`)));
    const before = credentials.cachedSessions();
    for (const s of sessions) {
      const r = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } });
      expect(r.statusCode).toBe(200);
    }
    expect(credentials.cachedSessions()).toBe(before - sessions.length);
    // A client that sends after the end reads the credential once more, is refused, and leaves nothing cached.
    const [late] = await chainBatches(sessions[0]!.id, typingEvents('late'), 10, sessions[0]!.writeToken);
    const r = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${sessions[0]!.id}/events`,
      headers: { authorization: `Bearer ${sessions[0]!.writeToken}` },
      payload: late,
    });
    expect(r.statusCode).toBe(409);
    expect(credentials.cachedSessions()).toBe(before - sessions.length);
  });

  // PGlite's one connection cannot read beside an open transaction.
  it.skipIf(TEST_DB !== 'postgres')('drops a credential read before an end committed, once the end is told', async () => {
    const credentials = t.app.services.credentials;
    const s = await recorded('ended inside a transaction');
    const cached = credentials.cachedSessions();
    const scope = { tenantId: null };
    await t.db.database.db.transaction().execute(async (trx) => {
      await t.app.services.sessions.endWithin(trx, scope, s.id);
      // A batch's credential read on another connection, before the commit: the session is still open there.
      expect((await credentials.actorFor(s.id, s.writeToken)).kind).toBe('session-writer');
    });
    // As endWithin's callers (attempts) do after their commit.
    await t.app.services.events.publish('session.ended', { sessionId: s.id, scope });
    expect(credentials.cachedSessions()).toBe(cached - 1);
  });

  it('exports a bundle whose chain verifies offline, macs included', async () => {
    const s = await recorded('bundle me please', 4);
    const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/bundle` });
    expect(r.statusCode).toBe(200);
    const parsed = parseBundle(r.json());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.bundle.batches.map((b) => b.firstSeq)).toEqual([0, 4, 8, 12]);
    expect(await verifyChain(s.id, parsed.bundle.batches, await macKeyFromToken(s.writeToken))).toBeNull();
  });

  it('streams the bundle a page of events at a time, byte for byte the same bundle', async () => {
    const s = await recorded('paged export of a session whose batches straddle pages', 6);
    const whole = await t.app.services.sessions.bundle({ tenantId: null }, s.id);
    let text = '';
    for await (const chunk of await t.app.services.sessions.bundleJson({ tenantId: null }, s.id, 7)) text += chunk;
    expect(text).toBe(JSON.stringify(whole));
    const served = await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/bundle` });
    expect(served.headers['content-type']).toContain('application/json');
    expect(served.body).toBe(text);
    const missing = await t.app.inject({ method: 'GET', url: '/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA/bundle' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 404 problem+json for an unknown or malformed id', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'short', '../etc']) {
      const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${encodeURIComponent(id)}` });
      expect([400, 404]).toContain(r.statusCode);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('refuses anonymous sessions when the server does not allow them', async () => {
    const closed = await createTestApp({ publicSessions: false });
    try {
      const r = await closed.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
      expect(r.statusCode).toBe(403);
      expect(r.json().type).toBe('urn:veritas:problem:public-sessions-disabled');
    } finally {
      await closed.close();
    }
  });

  it('keeps a tenant session out of the public scope', async () => {
    const created = await t.app.services.sessions.create(tenantScope('tenant-a'), { kind: 'writing' });
    const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${created.session.id}` });
    expect(r.statusCode).toBe(404);
    expect((await t.app.services.sessions.get(tenantScope('tenant-a'), created.session.id)).id).toBe(created.session.id);
    await expect(t.app.services.sessions.get(tenantScope('tenant-b'), created.session.id)).rejects.toThrow(/no session/);
    // The repositories scope too, not only the service in front of them.
    const token = created.writeToken;
    const [batch] = await chainBatches(created.session.id, typingEvents('tenant text'), 20, token);
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${created.session.id}/events`, headers: { authorization: `Bearer ${token}` }, payload: batch });
    const db = t.db.database.db;
    expect(await listEvents(db, tenantScope('tenant-a'), created.session.id, -1, 100)).toHaveLength(11);
    expect(await listEvents(db, tenantScope('tenant-b'), created.session.id, -1, 100)).toEqual([]);
    expect(await listEvents(db, { tenantId: null }, created.session.id, -1, 100)).toEqual([]);
    expect(await listBatches(db, tenantScope('tenant-b'), created.session.id)).toEqual([]);
  });
});
