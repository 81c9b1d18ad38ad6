import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, toBundle } from '@veritas/simulator';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildPerson, buildTenant } from '../../testing/people';
import { TEST_DB } from '../../testing/test-database';
import { tenantScope } from '../../kernel/scope';
import type { TenantRow } from '../people';

let t: TestApp;
let refusingServer: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  refusingServer = await createTestApp({ hostSignals: 'refuse' });
});
afterAll(async () => {
  await t?.close();
  await refusingServer?.close();
});

let n = 0;
/** A proctoring session with host signals (webcam-derived scores) of the tenant, arrived ended; its analysis once the job has run. */
async function analysedIn(app: TestApp['app'], tenant: TenantRow): Promise<{ hostSignals: unknown; score: unknown }> {
  const scope = tenantScope(tenant.id);
  const bundle = await toBundle(simulate('proctoring', 2), { sessionId: `tenantSignals${TEST_DB}${String(n++).padStart(6, '0')}` });
  const { session } = await app.services.bundles.import(scope, bundle, { source: 'upload' });
  let status = await app.services.analysis.status(scope, session.id);
  for (const deadline = Date.now() + 90_000; status.status !== 'done' && Date.now() < deadline;) {
    await new Promise((res) => setTimeout(res, 25));
    status = await app.services.analysis.status(scope, session.id);
  }
  if (status.status !== 'done') throw new Error(`no analysis for ${session.id}: ${JSON.stringify(status)}`);
  return status.analysis as unknown as { hostSignals: unknown; score: unknown };
}

describe(`host-page signals follow the tenant (${TEST_DB})`, () => {
  it("a tenant's sessions drop them once its admin refuses them, and keep them while it accepts", async () => {
    const tenant = await buildTenant(t.app);
    const admin = await buildPerson(t.app, tenant, 'admin');
    const accepted = await analysedIn(t.app, tenant);
    expect(accepted.hostSignals).not.toBeNull();

    const r = await t.app.inject({ method: 'PATCH', url: '/v1/admin/tenant', headers: admin.headers, payload: { hostSignals: 'refuse' } });
    expect(r.statusCode, r.body).toBe(200);
    const refused = await analysedIn(t.app, tenant);
    expect(refused.hostSignals).toBeNull();
    // They were never in the score.
    expect(refused.score).toEqual(accepted.score);

    // Another tenant's choice is its own.
    expect((await analysedIn(t.app, await buildTenant(t.app))).hostSignals).not.toBeNull();
  });

  it('VERITAS_HOST_SIGNALS=refuse refuses them for every tenant, whatever the tenant says', async () => {
    const accepting = await buildTenant(refusingServer.app, { host_signals: 'accept' });
    expect((await analysedIn(refusingServer.app, accepting)).hostSignals).toBeNull();
  });
});
