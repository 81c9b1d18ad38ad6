import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { VeritasEvent } from '@veritas/schema';
import { tenantScope } from '../../kernel/scope';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { typingEvents } from '../../testing/batches';
import { tablesRead } from '../../testing/tables-read';
import { buildInstitution, recordAs, type Institution } from '../../testing/institution';
import { createEventBus, type EventBus } from '../../kernel/events';
import { createWebhooksService, subscribeWebhooks } from '../webhooks';
import { createReviewService } from './review.service';

/** Some typing, then `n` reports of several faces a few seconds apart: `n` live alerts. */
function violations(n: number): VeritasEvent[] {
  const out: VeritasEvent[] = [...typingEvents('typed under a camera')];
  for (let i = 0; i < n; i++)
    out.push({ seq: out.length, t: 10_000 + i * 5_000, type: 'violation', data: { kind: 'multiple_faces', confidence: 0.9 } } as VeritasEvent);
  return out;
}

/**
 * An exam's violations come from every student within seconds: their alerts become review flags in
 * one transaction of a few statements, whatever the number of sessions (bench/README.md, live).
 */
describe(`live alerts of many sessions consolidated together (${TEST_DB})`, () => {
  let t: TestApp;
  let school: Institution;
  const sessions: { id: string; alerts: number }[] = [];
  let foreign = '';

  beforeAll(async () => {
    t = await createTestApp();
    school = await buildInstitution(t.app);
    for (let i = 0; i < 12; i++) {
      const n = (i % 3) + 1;
      sessions.push({ id: (await recordAs(t.app, i % 2 ? school.student : school.otherStudent, { events: violations(n), end: false })).id, alerts: n });
    }
    foreign = (await recordAs(t.app, school.stranger, { events: violations(2), end: false })).id;
    await t.app.services.live.whenIdle();
  }, 120_000);
  afterAll(async () => t?.close());

  /** A review service whose queries are counted, the flags the app's own subscription made put aside. */
  async function countedReview(budget: { alertsPerConsolidation?: number } = {}, events?: EventBus) {
    const database = t.app.services.database;
    const ids = [...sessions.map((s) => s.id), foreign];
    await database.db.deleteFrom('review_flags').where('session_id', 'in', ids).execute();
    const read = tablesRead();
    const review = createReviewService({
      database: { ...database, db: database.db.withPlugin(read.plugin) },
      audit: t.app.services.audit,
      sources: {
        analysisFlags: async () => [],
        alertsOf: (scope, sessionIds) => t.app.services.live.alertsOfSessions(scope, sessionIds, 1000),
        alertCounts: (scope, sessionIds) => t.app.services.live.alertCountsOfSessions(scope, sessionIds),
      },
      ...budget,
      ...(events ? { events } : {}),
    });
    return { database, ids, read, review };
  }

  it("writes every session's flags with one statement per table, each with its own occurrences", async () => {
    const { database, ids, read, review } = await countedReview();
    const made = await review.collectAlerts(tenantScope(school.tenant.id), ids);

    expect(read.queries.filter((q) => q.includes('review_flags'))).toEqual([['review_flags']]);
    expect(read.queries.filter((q) => q.includes('review_occurrences'))).toEqual([['review_occurrences']]);
    // The other institution's session is out of this scope: nothing made for it.
    expect(made.get(foreign) ?? 0).toBe(0);
    const flags = await database.db
      .selectFrom('review_flags')
      .select(['session_id', 'kind', 'occurrences', 'state', 'tenant_id'])
      .where('session_id', 'in', ids)
      .execute();
    expect(flags.filter((f) => f.session_id === foreign)).toEqual([]);
    for (const s of sessions) {
      expect(made.get(s.id)).toBe(1);
      expect(flags.filter((f) => f.session_id === s.id)).toEqual([
        { session_id: s.id, kind: 'several-faces', occurrences: s.alerts, state: 'open', tenant_id: school.tenant.id },
      ]);
    }

    // Again (idempotent): the same flags, the same counts.
    const again = await review.collectAlerts(tenantScope(school.tenant.id), ids);
    expect(again).toEqual(made);
    const after = await database.db.selectFrom('review_flags').select(['session_id', 'occurrences']).where('session_id', 'in', ids).execute();
    expect(after.sort((a, b) => a.session_id.localeCompare(b.session_id))).toEqual(
      flags.map(({ session_id, occurrences }) => ({ session_id, occurrences })).sort((a, b) => a.session_id.localeCompare(b.session_id)),
    );
  });

  it('takes a burst in steps of a bounded number of alerts, with the same flags', async () => {
    // 24 alerts in all (1, 2 or 3 a session): steps of at most 5, so at least five transactions.
    const { database, ids, read, review } = await countedReview({ alertsPerConsolidation: 5 });
    const made = await review.collectAlerts(tenantScope(school.tenant.id), ids);
    expect(read.queries.filter((q) => q.includes('review_flags')).length).toBeGreaterThanOrEqual(5);
    const flags = await database.db.selectFrom('review_flags').select(['session_id', 'occurrences']).where('session_id', 'in', ids).execute();
    for (const s of sessions) {
      expect(made.get(s.id)).toBe(1);
      expect(flags.filter((f) => f.session_id === s.id)).toEqual([{ session_id: s.id, occurrences: s.alerts }]);
    }
  });

  it("tells flag.raised for every session together: the tenant's webhook endpoints read once, a message stored per flag", async () => {
    const hook = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/webhooks',
      headers: school.admin.headers,
      payload: { url: 'https://receiver.invalid/veritas', events: ['flag.raised'], description: 'counted' },
    });
    expect(hook.statusCode, hook.body).toBe(201);
    const endpointId = (JSON.parse(hook.body) as { id: string }).id;
    try {
      const events = createEventBus();
      const { database, ids, read, review } = await countedReview({}, events);
      const webhooks = createWebhooksService({
        database: { ...database, db: database.db.withPlugin(read.plugin) },
        audit: t.app.services.audit,
        jobs: t.app.services.jobs,
        settings: { allowPrivate: false, attempts: 1, timeoutMs: 1000 },
      });
      subscribeWebhooks(events, webhooks);
      const made = await review.collectAlerts(tenantScope(school.tenant.id), ids);

      expect(read.queries.filter((q) => q.includes('webhook_endpoints'))).toEqual([['webhook_endpoints']]);
      const flagIds = (await database.db.selectFrom('review_flags').select('id').where('session_id', 'in', ids).execute()).map((f) => f.id);
      expect(flagIds).toHaveLength(sessions.length);
      expect([...made.values()].reduce((a, n) => a + n, 0)).toBe(sessions.length);
      const { rows: messages } = await sql<{ subject_id: string; event_type: string }>`
        select subject_id, event_type from webhook_deliveries where endpoint_id = ${endpointId}`.execute(database.db);
      expect(messages.map((m) => m.subject_id).sort()).toEqual([...flagIds].sort());
      expect(new Set(messages.map((m) => m.event_type))).toEqual(new Set(['flag.raised']));
    } finally {
      expect((await t.app.inject({ method: 'DELETE', url: `/v1/admin/webhooks/${endpointId}`, headers: school.admin.headers })).statusCode).toBe(204);
    }
  });
});
