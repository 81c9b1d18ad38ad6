import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type KyselyPlugin } from 'kysely';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../../testing/test-database';
import { tenantScope, tenantId } from '../../kernel/scope';
import type { Actor } from '../../kernel/actor';
import { createAuditService, type AuditInput, type AuditService } from './audit.service';

let t: TestDatabase;
let audit: AuditService;
beforeAll(async () => {
  t = await createTestDatabase();
  audit = createAuditService(t.database);
});
afterAll(async () => t?.drop());

const admin: Actor = { kind: 'user', userId: 'u-admin', tenantId: tenantId('t1'), role: 'admin', via: 'password', scope: tenantScope('t1') };
const entry = (tenant: string, action: string, detail: Record<string, unknown> = {}): AuditInput => ({
  tenantId: tenant,
  actor: admin,
  action,
  resource: { type: 'user', id: 'u-1' },
  context: { ip: '127.0.0.1', requestId: 'req-1' },
  detail,
});

describe('audit trail', () => {
  it('numbers and links entries per tenant, also when written concurrently, and verifies them', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => audit.record(entry('chain-a', 'user.update', { i, nested: { b: 1, a: [1, 2] } }))));
    await audit.record(entry('chain-b', 'user.invite'));
    const reports = await audit.verify();
    expect(reports.find((r) => r.chain === 'chain-a')).toEqual({ chain: 'chain-a', entries: 25, ok: true });
    expect(reports.find((r) => r.chain === 'chain-b')).toEqual({ chain: 'chain-b', entries: 1, ok: true });
    const rows = await audit.search({ tenantId: 'chain-a', limit: 100 });
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
    expect(rows[0]).toMatchObject({ actor_kind: 'user', actor_id: 'u-admin', auth_method: 'password', ip: '127.0.0.1', request_id: 'req-1' });
  });

  it('stores entries recorded together in one statement, links them in one, and fails alone an entry the database refuses', async () => {
    const statements: string[] = [];
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        if (args.node.kind === 'InsertQueryNode') statements.push(args.node.into?.table.identifier.name ?? '');
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const grouped = createAuditService({ ...t.database, db: t.database.db.withPlugin(counting) });
    const inputs = Array.from({ length: 40 }, (_, i) => entry('chain-g', 'user.update', i === 17 ? { i, bad: 'nul \u0000 byte' } : { i }));
    const settled = await Promise.allSettled(inputs.map((input) => grouped.record(input)));
    // One group, refused for entry 17; then each entry alone: 40 tried alone, 39 stored, linked together.
    expect(statements.filter((s) => s === 'audit_pending')).toHaveLength(1 + 40);
    expect(statements.filter((s) => s === 'audit_log')).toHaveLength(1);
    expect(settled.map((r) => r.status)).toEqual(inputs.map((_, i) => (i === 17 ? 'rejected' : 'fulfilled')));
    expect(await audit.verify('chain-g')).toEqual([{ chain: 'chain-g', entries: 39, ok: true }]);
    const linked = await audit.search({ tenantId: 'chain-g', limit: 100 });
    expect(linked.map((r) => r.detail.i).reverse()).toEqual(inputs.map((_, i) => i).filter((i) => i !== 17));

    statements.length = 0;
    await Promise.all(Array.from({ length: 30 }, (_, i) => grouped.record(entry('chain-g', 'user.update', { j: i }))));
    expect(statements.filter((s) => s === 'audit_pending')).toHaveLength(1);
    expect(statements.filter((s) => s === 'audit_log')).toHaveLength(1);
    const rows = await audit.search({ tenantId: 'chain-g', limit: 30 });
    expect(rows.map((r) => [Number(r.seq), r.detail.j]).reverse()).toEqual(Array.from({ length: 30 }, (_, i) => [40 + i, i]));
    expect(await audit.verify('chain-g')).toEqual([{ chain: 'chain-g', entries: 69, ok: true }]);
  });

  it('an entry recorded in a transaction waits for no lock on its chain and is linked soon after its commit', async () => {
    const db = t.database.db;
    await audit.record(entry('chain-h', 'user.update', { i: 0 }));
    const recorded = db.transaction().execute(async (trx) => {
      await audit.record(entry('chain-h', 'user.update', { i: 1 }), trx);
      await audit.record(entry('chain-h', 'user.update', { i: 2 }), trx);
    });
    await recorded;
    // Linked by the link the record scheduled, with no read to prompt it.
    await expect
      .poll(async () => (await db.selectFrom('audit_log').select('seq').where('chain', '=', 'chain-h').execute()).length, { timeout: 30_000, interval: 50 })
      .toBe(3);
    expect(await db.selectFrom('audit_pending').select('id').where('chain', '=', 'chain-h').execute()).toEqual([]);
    const rows = await audit.search({ tenantId: 'chain-h', limit: 10 });
    expect(rows.map((r) => [Number(r.seq), r.detail.i])).toEqual([
      [3, 2],
      [2, 1],
      [1, 0],
    ]);
  });

  it.runIf(TEST_DB === 'postgres')('a write recording its entry does not wait while another transaction holds its chain’s head', async () => {
    const db = t.database.db;
    await audit.record(entry('chain-j', 'user.update', { i: 0 }));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // A linker (or the audit retention) of another process holding the head.
    const holder = db.transaction().execute(async (trx) => {
      await sql`select seq from audit_heads where chain = 'chain-j' for update`.execute(trx);
      locked();
      await released;
    });
    await isLocked;
    // Before ADR 0033 this transaction waited for the head's lock; now it commits while the lock is held.
    await db.transaction().execute((trx) => audit.record(entry('chain-j', 'user.update', { i: 1 }), trx));
    expect(await db.selectFrom('audit_pending').select('id').where('chain', '=', 'chain-j').execute()).toHaveLength(1);
    release();
    await holder;
    await expect.poll(async () => (await audit.search({ tenantId: 'chain-j', limit: 10 })).length, { timeout: 30_000 }).toBe(2);
    expect(await audit.verify('chain-j')).toEqual([{ chain: 'chain-j', entries: 2, ok: true }]);
  });

  it('a rolled-back transaction leaves no entry; one left pending by a process that stopped is linked by the next read or the sweep', async () => {
    const db = t.database.db;
    await db
      .transaction()
      .execute(async (trx) => {
        await audit.record(entry('chain-i', 'user.update', { i: 'rolled back' }), trx);
        throw new Error('the write failed');
      })
      .catch(() => undefined);
    // A process that recorded in a transaction and stopped before its link ran.
    const stopping = createAuditService(t.database);
    await stopping.stop();
    await db.transaction().execute((trx) => stopping.record(entry('chain-i', 'user.update', { i: 1 }), trx));
    expect(await db.selectFrom('audit_pending').select('id').where('chain', '=', 'chain-i').execute()).toHaveLength(1);
    expect((await audit.search({ tenantId: 'chain-i', limit: 10 })).map((r) => r.detail.i)).toEqual([1]);

    await db.transaction().execute((trx) => stopping.record(entry('chain-i', 'user.update', { i: 2 }), trx));
    await audit.linkPending();
    expect(await db.selectFrom('audit_pending').select('id').where('chain', '=', 'chain-i').execute()).toEqual([]);
    expect(await audit.verify('chain-i')).toEqual([{ chain: 'chain-i', entries: 2, ok: true }]);
  });

  it('finds an altered entry', async () => {
    for (let i = 0; i < 3; i++) await audit.record(entry('chain-c', 'user.update', { i }));
    await sql`update audit_log set detail = '{"i": 99}'::jsonb where chain = 'chain-c' and seq = 2`.execute(t.database.db);
    expect(await audit.verify('chain-c')).toEqual([
      { chain: 'chain-c', entries: 1, ok: false, broken: { seq: 2, reason: 'its content does not match its hash' } },
    ]);
  });

  it('finds a removed entry in the middle and at the end', async () => {
    for (let i = 0; i < 4; i++) await audit.record(entry('chain-d', 'user.update', { i }));
    for (let i = 0; i < 2; i++) await audit.record(entry('chain-e', 'user.update', { i }));
    await sql`delete from audit_log where chain = 'chain-d' and seq = 3`.execute(t.database.db);
    await sql`delete from audit_log where chain = 'chain-e' and seq = 2`.execute(t.database.db);
    expect(await audit.verify('chain-d')).toMatchObject([{ ok: false, broken: { seq: 3, reason: 'entry 3 is missing' } }]);
    expect(await audit.verify('chain-e')).toMatchObject([{ ok: false, entries: 1, broken: { seq: 2 } }]);
  });

  it('filters a search by actor, action, resource and time', async () => {
    const before = new Date(Date.now() - 1000);
    await audit.record({ ...entry('chain-f', 'session.export'), resource: { type: 'session', id: 's-9' } });
    await audit.record(entry('chain-f', 'user.invite'));
    expect((await audit.search({ tenantId: 'chain-f', action: 'session.export', limit: 10 })).map((r) => r.resource_id)).toEqual(['s-9']);
    expect(await audit.search({ tenantId: 'chain-f', resourceType: 'session', resourceId: 's-9', limit: 10 })).toHaveLength(1);
    expect(await audit.search({ tenantId: 'chain-f', actorId: 'someone-else', limit: 10 })).toHaveLength(0);
    expect(await audit.search({ tenantId: 'chain-f', from: before, limit: 10 })).toHaveLength(2);
    expect(await audit.search({ tenantId: 'chain-f', to: before, limit: 10 })).toHaveLength(0);
    const [newest] = await audit.search({ tenantId: 'chain-f', limit: 1 });
    expect((await audit.search({ tenantId: 'chain-f', beforeSeq: Number(newest!.seq), limit: 10 })).map((r) => r.action)).toEqual(['session.export']);
  });
});
