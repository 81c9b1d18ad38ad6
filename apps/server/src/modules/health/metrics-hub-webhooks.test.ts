import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, recordAs, until, type Institution } from '../../testing/institution';
import { TEST_DB } from '../../testing/test-database';
import { createHub } from '../../platform/hub/create-hub';
import { instrumentHub } from '../../platform/hub/instrumented-hub';
import { WebhookReceiver } from '../webhooks/webhook-receiver.testing';
import { WEBHOOK_EVENTS } from '../webhooks/webhook-events';

/** Issue 16, observability: the live hub (either driver) and webhook deliveries, as /metrics shows them. */
let t: TestApp;
let school: Institution;
const receivers: WebhookReceiver[] = [];
beforeAll(async () => {
  t = await createTestApp({ publicSessions: true, webhooks: { allowPrivate: true, attempts: 2, retryBaseMs: 50, timeoutMs: 5000 } });
  school = await buildInstitution(t.app);
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await t?.close();
});

/** The value of one sample of the exposition text (exactly these labels), or undefined when the series is absent. */
async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = (await t.app.inject('/metrics')).body;
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const have = line.slice(name.length + 1, line.indexOf('}')).split(',');
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(line.slice(line.indexOf('}') + 1));
  }
  return undefined;
}
const value = async (name: string, labels: Record<string, string>) => (await sample(name, labels)) ?? 0;

describe(`hub and webhook metrics (${TEST_DB})`, () => {
  it('counts the hub’s subscribers, messages published and delivered, and drops, for the driver in use', async () => {
    const driver = t.app.services.hub.driver;
    expect(driver).toBe(process.env.VERITAS_TEST_HUB === 'redis' ? 'redis' : 'memory');
    const d = { driver };
    const subscribers = await value('veritas_hub_subscribers', d);
    const published = await value('veritas_hub_messages_published_total', d);
    const delivered = await value('veritas_hub_messages_delivered_total', d);
    const handlerDrops = await value('veritas_hub_messages_dropped_total', { driver, reason: 'handler_failed' });

    const got: unknown[] = [];
    const stop = await t.app.services.hub.subscribe('metrics-test', (m) => got.push(m));
    const stopThrowing = await t.app.services.hub.subscribe('metrics-test', () => {
      throw new Error('a viewer that breaks');
    });
    expect(await sample('veritas_hub_subscribers', d)).toBe(subscribers + 2);
    expect(await t.app.services.hub.publish('metrics-test', { n: 1 })).toBe(true);
    await until(
      async () => got.length === 1 && (await value('veritas_hub_messages_dropped_total', { driver, reason: 'handler_failed' })) === handlerDrops + 1,
      'delivery',
    );
    expect(await sample('veritas_hub_messages_published_total', d)).toBeGreaterThanOrEqual(published + 1);
    expect(await sample('veritas_hub_messages_delivered_total', d)).toBeGreaterThanOrEqual(delivered + 2);
    stop();
    stopThrowing();
    stop(); // twice: counted once
    expect(await sample('veritas_hub_subscribers', d)).toBe(subscribers);

    // Ingest tells the hub of each commit: a recorded session moves the published count.
    const before = await value('veritas_hub_messages_published_total', d);
    await recordAs(t.app, undefined);
    expect(await value('veritas_hub_messages_published_total', d)).toBeGreaterThan(before);

    // A hub that cannot take a message (closed here; Redis away alike) counts it as dropped.
    const failedBefore = await value('veritas_hub_messages_dropped_total', { driver, reason: 'publish_failed' });
    const lost = instrumentHub(createHub(t.app.config, undefined, { prefix: 'veritas-metrics-test:' }), t.app.services.metrics);
    await lost.close();
    expect(await lost.publish('metrics-test', { n: 2 })).toBe(false);
    expect(await sample('veritas_hub_messages_dropped_total', { driver, reason: 'publish_failed' })).toBe(failedBefore + 1);
  }, 60_000);

  it('counts webhook attempts by result with their latency, and deliveries by outcome, against a real receiver', async () => {
    const ok = await value('veritas_webhook_attempt_duration_seconds_count', { result: 'ok' });
    const httpErrors = await value('veritas_webhook_attempt_failures_total', { result: 'http_error' });
    const delivered = await value('veritas_webhook_deliveries_total', { outcome: 'delivered' });
    const failed = await value('veritas_webhook_deliveries_total', { outcome: 'failed' });

    // One receiver refuses each message's first attempt, then takes it; the other refuses every attempt.
    const flaky = new WebhookReceiver({ failFirst: 1 });
    const down = new WebhookReceiver({ failFirst: Infinity });
    receivers.push(flaky, down);
    for (const [r, description] of [
      [flaky, 'flaky'],
      [down, 'down'],
    ] as const) {
      const url = await r.start();
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/webhooks',
        headers: school.admin.headers,
        payload: { url, events: WEBHOOK_EVENTS, description },
      });
      expect(created.statusCode, created.body).toBe(201);
      r.secrets = [created.json().secret];
    }
    await recordAs(t.app, school.student);
    await until(async () => flaky.acknowledged().size >= 1, 'a delivery to the flaky receiver', 60_000);
    await until(async () => (await value('veritas_webhook_deliveries_total', { outcome: 'failed' })) > failed, 'a delivery given up', 60_000);
    await until(async () => (await value('veritas_webhook_deliveries_total', { outcome: 'delivered' })) > delivered, 'a delivery counted', 30_000);

    // An answer the receiver gave is counted once its attempt is done (just after).
    await expect
      .poll(async () => (await value('veritas_webhook_attempt_duration_seconds_count', { result: 'ok' })) - ok, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(flaky.acknowledged().size);
    // Each message: one refused attempt at the flaky receiver, two at the one that is down.
    expect(await value('veritas_webhook_attempt_failures_total', { result: 'http_error' })).toBeGreaterThanOrEqual(httpErrors + 3);
    const sum = await value('veritas_webhook_attempt_duration_seconds_sum', { result: 'ok' });
    expect(sum).toBeGreaterThan(0);
    expect(await sample('veritas_webhook_attempt_duration_seconds_bucket', { result: 'ok', le: '+Inf' })).toBe(
      await value('veritas_webhook_attempt_duration_seconds_count', { result: 'ok' }),
    );
  }, 120_000);
});
