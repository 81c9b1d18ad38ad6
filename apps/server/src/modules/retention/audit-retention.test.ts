import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { tenantId, tenantScope } from '../../kernel/scope';
import type { Actor } from '../../kernel/actor';
import { createAuditService } from '../audit';
import { linkedAudit } from '../../testing/linked-audit';

// The audit trail's own retention (ADR 0027, amendment): a short audit policy, a sweep, and exactly the
// expired entries at the start of the chain are gone, the chain still verifies from its anchor, the cut
// is itself an entry, a legal hold stops the cut, and nothing else is touched.

const DAY = 86_400_000;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const db = () => t.app.services.database.db;

/** A tenant of its own (nothing recorded in its chain yet) with a policy: raw data and analyses 30 days, the audit 365. */
async function tenant(policy: { raw: number | null; analysis: number | null; audit: number | null } = { raw: 30, analysis: 30, audit: 365 }) {
  const id = `t-aud-${randomBytes(4).toString('hex')}`;
  await db().insertInto('tenants').values({ id, slug: id, name: 'Audit retention school' }).execute();
  await db()
    .insertInto('retention_policies')
    .values({ tenant_id: id, raw_days: policy.raw, analysis_days: policy.analysis, audit_days: policy.audit, updated_by: null })
    .execute();
  return id;
}

/** Records entries in a tenant's chain as if written `daysAgo` days before `now` (the entry's time is hashed, so it is set when written). */
async function write(tenant: string, now: Date, daysAgo: number, entries: { action?: string; resource?: [string, string]; actor?: string }[]) {
  const audit = createAuditService(t.app.services.database, { clock: () => new Date(now.getTime() - daysAgo * DAY) });
  for (const e of entries) {
    const actor: Actor = {
      kind: 'user',
      userId: e.actor ?? 'u-admin',
      tenantId: tenantId(tenant),
      role: 'admin',
      via: 'password',
      scope: tenantScope(tenant),
    };
    await audit.record({
      tenantId: tenant,
      actor,
      action: e.action ?? 'user.update',
      resource: { type: e.resource?.[0] ?? 'user', id: e.resource?.[1] ?? 'u-1' },
      context: { ip: null, requestId: 'audit-retention-test' },
    });
  }
}

const seqs = async (chain: string) =>
  (await (await linkedAudit(t.app.services)).selectFrom('audit_log').select('seq').where('chain', '=', chain).orderBy('seq').execute()).map((r) =>
    Number(r.seq),
  );
const entry = async (chain: string, seq: number) =>
  (await linkedAudit(t.app.services))
    .selectFrom('audit_log')
    .selectAll()
    .where('chain', '=', chain)
    .where(sql<boolean>`seq = ${seq}`)
    .executeTakeFirstOrThrow();
const ofTenant = <T extends { tenantId: string }>(items: T[], id: string) => items.filter((i) => i.tenantId === id);

describe('the audit trail’s retention', () => {
  it('deletes exactly the expired entries at the start of the chain, which still verifies from its anchor; lists them in a dry run; leaves the rest', async () => {
    const now = new Date();
    const school = await tenant();
    const untouched = await tenant({ raw: 30, analysis: 30, audit: null }); // no audit days: its chain is kept whole
    await write(school, now, 1000, [{}, {}, {}, { action: 'user.invite' }, {}]); // 1–5: expired
    await write(school, now, 200, [{}, {}]); // 6–7: within 365 days
    await write(school, now, 1000, [{ action: 'class.create', resource: ['class', 'c-1'] }]); // 8: old, but after kept ones: the chain is cut at its start only
    await write(untouched, now, 1000, [{}, {}, {}]);
    // A session of the school that ended 10 days ago: its raw data is within the policy and stays.
    const sessionId = `s-aud-${randomBytes(4).toString('hex')}`;
    await db()
      .insertInto('sessions')
      .values({
        id: sessionId,
        tenant_id: school,
        owner_id: null,
        kind: 'writing',
        status: 'ended',
        source: 'live',
        write_key: null,
        meta: '{}',
        head_hash: 'h',
        ended_at: new Date(now.getTime() - 10 * DAY),
      })
      .execute();
    await db().insertInto('events').values({ session_id: sessionId, seq: 0, t: 0, type: 'focus', data: '{}' }).execute();
    const hashOf5 = (await entry(school, 5)).hash;

    const dry = await t.app.services.retention.sweep({ now, dryRun: true });
    const planned = ofTenant(dry.audit, school);
    expect(planned).toHaveLength(1);
    expect(planned[0]).toMatchObject({ fromSeq: 1, throughSeq: 5, entries: 5, policyDays: 365, heldFrom: null });
    expect(planned[0]!.listed!.map((e) => [e.seq, e.action])).toEqual([
      [1, 'user.update'],
      [2, 'user.update'],
      [3, 'user.update'],
      [4, 'user.invite'],
      [5, 'user.update'],
    ]);
    expect(ofTenant(dry.audit, untouched)).toEqual([]);
    expect(await seqs(school)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const run = await t.app.services.retention.sweep({ now });
    const { listed: _listed, ...went } = planned[0]!;
    expect(ofTenant(run.audit, school)).toEqual([went]);
    // 1–5 went; 6–8 stay, and the cut is recorded as entry 9, naming the anchor (entry 5's hash).
    expect(await seqs(school)).toEqual([6, 7, 8, 9]);
    const cut = await entry(school, 9);
    expect(cut).toMatchObject({ action: 'audit.purge', actor_kind: 'anonymous', resource_type: 'audit-chain', resource_id: school });
    expect(cut.detail).toMatchObject({ fromSeq: 1, throughSeq: 5, entries: 5, anchorHash: hashOf5, policyDays: 365, heldFrom: null });
    expect((await entry(school, 6)).prev_hash).toBe(hashOf5);
    expect(await t.app.services.audit.verify(school)).toEqual([{ chain: school, entries: 4, from: 6, ok: true }]);
    // Everything else is intact: the other tenant's chain, the session's raw data, the policy.
    expect(await seqs(untouched)).toEqual([1, 2, 3]);
    expect(await t.app.services.audit.verify(untouched)).toEqual([{ chain: untouched, entries: 3, ok: true }]);
    expect((await db().selectFrom('events').select('seq').where('session_id', '=', sessionId).execute()).length).toBe(1);
    expect(ofTenant(run.items, school)).toEqual([]);

    // Nothing more is due now; new entries append after the anchor and verify.
    expect(ofTenant((await t.app.services.retention.sweep({ now })).audit, school)).toEqual([]);
    await write(school, now, 0, [{}]);
    expect(await t.app.services.audit.verify(school)).toEqual([{ chain: school, entries: 5, from: 6, ok: true }]);

    // Years later every entry has expired (the last cut's record, and the session's purges this sweep
    // records first, too): the new cut's record alone starts the chain.
    const later = new Date(now.getTime() + 2000 * DAY);
    const second = ofTenant((await t.app.services.retention.sweep({ now: later })).audit, school);
    expect(second).toMatchObject([{ fromSeq: 6 }]);
    expect(second[0]!.throughSeq).toBeGreaterThanOrEqual(10);
    expect(await seqs(school)).toEqual([second[0]!.throughSeq + 1]);
    expect(await t.app.services.audit.verify(school)).toEqual([{ chain: school, entries: 1, from: second[0]!.throughSeq + 1, ok: true }]);
  }, 120_000);

  it('does not verify an anchor moved by hand to hide deleted entries', async () => {
    const now = new Date();
    const school = await tenant();
    await write(school, now, 1000, [{}, {}]);
    await write(school, now, 10, [{}, {}, {}]);
    await t.app.services.retention.sweep({ now });
    expect(await seqs(school)).toEqual([3, 4, 5, 6]);
    expect((await t.app.services.audit.verify(school))[0]!.ok).toBe(true);
    // Deleting entry 3 as well and anchoring at it links the rest, but no audit.purge entry records that cut.
    const third = await entry(school, 3);
    await sql`delete from audit_log where chain = ${school} and seq = 3`.execute(db());
    await db().updateTable('audit_anchors').set({ seq: 3, hash: third.hash }).where('chain', '=', school).execute();
    expect(await t.app.services.audit.verify(school)).toEqual([
      {
        chain: school,
        entries: 3,
        from: 4,
        ok: false,
        broken: { seq: 4, reason: 'the chain starts after entry 3, but no audit.purge entry in it records that cut' },
      },
    ]);
  }, 60_000);

  it('stops the cut at the oldest expired entry about a subject under a legal hold, and goes on once it is lifted', async () => {
    const now = new Date();
    const school = await tenant();
    const held = { session: `s-held-${randomBytes(3).toString('hex')}`, person: `u-held-${randomBytes(3).toString('hex')}` };
    await write(school, now, 1000, [
      {},
      {},
      { action: 'session.events.read', resource: ['session', held.session] }, // 3: about the held session
      { actor: held.person }, // 4: by the held person
      {},
    ]);
    await write(school, now, 10, [{}]); // 6: recent
    const hold = async (kind: 'session' | 'person', subject: string) => {
      const id = `h-${randomBytes(4).toString('hex')}`;
      await db()
        .insertInto('legal_holds')
        .values({ id, tenant_id: school, subject_kind: kind, subject_id: subject, reason: 'appeal pending', created_by: 'u-admin' })
        .execute();
      return id;
    };
    const lift = (id: string) => db().updateTable('legal_holds').set({ lifted_by: 'u-admin', lifted_at: new Date() }).where('id', '=', id).execute();
    const sessionHold = await hold('session', held.session);
    const personHold = await hold('person', held.person);

    const dry = ofTenant((await t.app.services.retention.sweep({ now, dryRun: true })).audit, school);
    expect(dry).toMatchObject([{ fromSeq: 1, throughSeq: 2, entries: 2, heldFrom: 3 }]);
    expect(ofTenant((await t.app.services.retention.sweep({ now })).audit, school)).toMatchObject([{ fromSeq: 1, throughSeq: 2, heldFrom: 3 }]);
    expect(await seqs(school)).toEqual([3, 4, 5, 6, 7]);

    await lift(sessionHold);
    expect(ofTenant((await t.app.services.retention.sweep({ now })).audit, school)).toMatchObject([{ fromSeq: 3, throughSeq: 3, heldFrom: 4 }]);
    expect(await seqs(school)).toEqual([4, 5, 6, 7, 8]);

    await lift(personHold);
    expect(ofTenant((await t.app.services.retention.sweep({ now })).audit, school)).toMatchObject([{ fromSeq: 4, throughSeq: 5, heldFrom: null }]);
    expect(await seqs(school)).toEqual([6, 7, 8, 9]);
    expect(await t.app.services.audit.verify(school)).toEqual([{ chain: school, entries: 4, from: 6, ok: true }]);
    // Each cut is on record, the last one naming the anchor the chain starts from.
    const cuts = await (
      await linkedAudit(t.app.services)
    )
      .selectFrom('audit_log')
      .select('detail')
      .where('chain', '=', school)
      .where('action', '=', 'audit.purge')
      .orderBy('seq')
      .execute();
    expect(cuts.map((c) => [c.detail.fromSeq, c.detail.throughSeq])).toEqual([
      [1, 2],
      [3, 3],
      [4, 5],
    ]);
  }, 60_000);
});

describe('the audit days of a policy', () => {
  it('are kept at least as long as raw data and analyses, and read back', async () => {
    const { buildInstitution } = await import('../../testing/institution');
    const school = await buildInstitution(t.app);
    const put = (payload: object) => t.app.inject({ method: 'PUT', url: '/v1/admin/retention', headers: school.admin.headers, payload });
    for (const payload of [
      { rawDays: 30, analysisDays: 400, auditDays: 365 },
      { rawDays: 400, analysisDays: 30, auditDays: 365 },
      { rawDays: null, analysisDays: 30, auditDays: 365 },
      { rawDays: 30, analysisDays: null, auditDays: 365 },
    ]) {
      const r = await put(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().type).toBe('urn:veritas:problem:retention-policy-invalid');
    }
    const ok = await put({ rawDays: 30, analysisDays: 365, auditDays: 365 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ rawDays: 30, analysisDays: 365, auditDays: 365 });
    expect((await t.app.inject({ url: '/v1/admin/retention', headers: school.admin.headers })).json()).toMatchObject({ auditDays: 365 });
    // Left out, the audit is kept (as before this field existed).
    const kept = await put({ rawDays: 30, analysisDays: 30 });
    expect(kept.json()).toMatchObject({ auditDays: null });
    await put({ rawDays: null, analysisDays: null });
  }, 60_000);
});
