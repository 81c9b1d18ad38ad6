import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildBatches, createSession } from '../../testing/factories';
import { until } from '../../testing/institution';
import { PUBLIC_SCOPE } from '../../kernel/scope';
import { TEST_DB } from '../../testing/test-database';
import { ANALYZE_SESSION } from '../analysis';

/** Issue 16, observability: HTTP latency by route and status, job runs and the queues' backlog. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ publicSessions: true });
});
afterAll(async () => t?.close());

/** The value of one sample of the exposition text, or undefined when the series is absent. */
async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = (await t.app.inject('/metrics')).body;
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    const have = inside.split(',');
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(line.slice(line.indexOf('}') + 1));
  }
  return undefined;
}

describe(`Prometheus metrics (${TEST_DB})`, () => {
  it('times HTTP answers by method, route pattern and status; an unknown path is one "unmatched" series', async () => {
    const before = (await sample('veritas_http_request_duration_seconds_count', { method: 'GET', route: '/health', status: '200' })) ?? 0;
    await t.app.inject('/health');
    await t.app.inject('/health');
    await t.app.inject('/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA');
    await t.app.inject('/no/such/path/1');
    await t.app.inject('/no/such/path/2');
    expect(await sample('veritas_http_request_duration_seconds_count', { method: 'GET', route: '/health', status: '200' })).toBe(before + 2);
    expect(await sample('veritas_http_request_duration_seconds_count', { method: 'GET', route: '/v1/sessions/:id', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(await sample('veritas_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(2);
    const text = (await t.app.inject('/metrics')).body;
    expect(text).not.toContain('/no/such/path');
  });

  it("counts job runs by queue and outcome, and reads each queue's backlog at the scrape", async () => {
    const s = await createSession(t.app, { kind: 'writing' });
    for (const b of await buildBatches({ sessionId: s.id, writeToken: s.writeToken, text: 'a sentence to analyse' })) {
      await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: b });
    }
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } });
    await until(async () => (await t.app.services.analysis.status(PUBLIC_SCOPE, s.id)).status === 'done', 'the analysis', 120_000);
    await until(
      async () => ((await sample('veritas_job_duration_seconds_count', { queue: ANALYZE_SESSION, outcome: 'done' })) ?? 0) >= 1,
      'the job run counted',
      30_000,
    );
    expect(await sample('veritas_jobs_running_here', { queue: ANALYZE_SESSION })).toBe(0);
    const counts = await t.app.services.jobs.counts(ANALYZE_SESSION);
    expect(await sample('veritas_jobs', { queue: ANALYZE_SESSION, state: 'queued' })).toBe(counts.queued);
    expect(await sample('veritas_jobs', { queue: ANALYZE_SESSION, state: 'failed' })).toBe(counts.failed);
  });

  it('serves every metric the Grafana dashboard in deploy/ queries (the two cannot drift)', async () => {
    const dashboard = readFileSync(new URL('../../../../../deploy/grafana/veritas-dashboard.json', import.meta.url), 'utf8');
    const exprs: string[] = (JSON.parse(dashboard) as { panels: { targets: { expr: string }[] }[] }).panels.flatMap((p) => p.targets.map((x) => x.expr));
    const names = new Set(
      exprs.flatMap((e) => [...e.matchAll(/\b(veritas_[a-z_]+|process_[a-z_]+|nodejs_[a-z0-9_]+)\b/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''))),
    );
    expect(names.size).toBeGreaterThanOrEqual(10);
    const text = (await t.app.inject('/metrics')).body;
    for (const name of names) expect(text, name).toContain(`# TYPE ${name} `);
  });
});
