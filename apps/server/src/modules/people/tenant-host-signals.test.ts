import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildTenant } from '../../testing/people';
import { tablesRead } from '../../testing/tables-read';
import { TEST_DB } from '../../testing/test-database';
import { createTenantService } from './tenant.service';
import type { TenantRow } from './tenants.repository';

/** Every session of an exam's first commit group asks for its tenant's choice of host signals at once. */
describe(`a tenant's host-signal choice asked for together (${TEST_DB})`, () => {
  let t: TestApp;
  let tenant: TenantRow;
  let other: TenantRow;
  beforeAll(async () => {
    t = await createTestApp();
    tenant = await buildTenant(t.app);
    other = await buildTenant(t.app, { host_signals: 'refuse' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers the asks of one turn with one read per tenant, and sees a change at the next turn', async () => {
    const read = tablesRead();
    const database = t.app.services.database;
    const tenants = createTenantService({ ...database, db: database.db.withPlugin(read.plugin) }, t.app.services.audit);
    const asks = [tenant.id, other.id, tenant.id, tenant.id, other.id];
    expect(await Promise.all(asks.map((id) => tenants.hostSignalsOf(id)))).toEqual(['accept', 'refuse', 'accept', 'accept', 'refuse']);
    expect(read.queries).toEqual([['tenants'], ['tenants']]);

    await database.db.updateTable('tenants').set({ host_signals: 'refuse' }).where('id', '=', tenant.id).execute();
    expect(await tenants.hostSignalsOf(tenant.id)).toBe('refuse');
    expect(await tenants.hostSignalsOf('no-such-tenant')).toBe('accept');
  });
});
