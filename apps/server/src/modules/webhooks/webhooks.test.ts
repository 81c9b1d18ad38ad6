import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '@veritas/simulator';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, recordAs, until, type Institution } from '../../testing/institution';
import type { Person } from '../../testing/people';
import { WebhookReceiver } from './webhook-receiver.testing';
import { WEBHOOK_EVENTS } from './webhook-events';

/**
 * Issue 14, webhooks, in process on both storages: a real receiver (node:http) that fails the first
 * attempts of every message and verifies each with the `standardwebhooks` package; every event of
 * the tenant arrives, once per webhook-id; the log shows each attempt; redelivery; secret rotation
 * with its overlap; disabling after persistent failure; SSRF refusals.
 */
const SETTINGS = { allowPrivate: true, attempts: 4, retryBaseMs: 100, timeoutMs: 5000 };
const hour = 3_600_000;
let t: TestApp;
let school: Institution;
const receivers: WebhookReceiver[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await createTestApp({ webhooks: SETTINGS });
  school = await buildInstitution(t.app);
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  for (const c of cleanups) await c();
  await t?.close();
});

/** The fields of the answers this test reads. */
interface Answer {
  id?: string;
  secret?: string;
  items?: ({ id: string } & Record<string, unknown>)[];
  attempt?: { id: string };
  enabled?: boolean;
  disabledReason?: string | null;
  previousSecretExpiresAt?: string | null;
  type?: string;
}
const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, who: Person | undefined, payload?: object) => {
  const r = await t.app.inject({ method, url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: (r.body ? JSON.parse(r.body) : {}) as Answer };
};
async function receiver(failFirst = 0): Promise<{ receiver: WebhookReceiver; url: string }> {
  const r = new WebhookReceiver({ failFirst });
  receivers.push(r);
  return { receiver: r, url: await r.start() };
}
async function endpoint(url: string, events: readonly string[] = WEBHOOK_EVENTS, admin = school.admin) {
  const r = await call('POST', '/v1/admin/webhooks', admin, { url, events, description: 'test receiver' });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; secret: string };
}
const payloadOf = (body: string) => JSON.parse(body) as { type: string; timestamp: string; data: Record<string, unknown> };

describe(`webhooks (${TEST_DB})`, () => {
  it('delivers every event of the tenant, signed, once per webhook-id, after the receiver failed the first attempts', async () => {
    const { receiver: rx, url } = await receiver(2);
    const ep = await endpoint(url);
    rx.secrets = [ep.secret];
    expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    // session.ended, analysis.done and flag.raised: a pasted essay; flag.reviewed: a teacher dismisses one of its flags.
    const pasted = await recordAs(t.app, school.student, { events: simulate('paste', 1, { paragraphs: 2 }).events });
    let flags: { id: string; kind: string }[] = [];
    await until(async () => {
      const r = await call('GET', `/v1/sessions/${pasted.id}/flags`, school.teacher);
      flags = r.status === 200 ? ((r.body.items ?? []) as unknown as { id: string; kind: string }[]) : [];
      return flags.length > 0;
    }, 'the flags of the pasted essay');
    expect((await call('POST', `/v1/flags/${flags[0]!.id}/decisions`, school.teacher, { decision: 'dismiss', note: 'quoted sources' })).status).toBe(200);
    // attempt.submitted and attempt.graded: an exam of the teacher for the student's class.
    const classId = (await call('GET', '/v1/classes', school.teacher)).body.items![0]!.id;
    const exam = await call('POST', '/v1/exams', school.teacher, {
      title: 'Hooked exam',
      kind: 'writing',
      maxScore: 10,
      passMark: 5,
      durationMinutes: 60,
      opensAt: new Date(Date.now() - hour).toISOString(),
      closesAt: new Date(Date.now() + hour).toISOString(),
      classIds: [classId],
    });
    expect(exam.status, JSON.stringify(exam.body)).toBe(201);
    const attemptId = (await call('POST', `/v1/exams/${exam.body.id}/attempts`, school.student)).body.attempt!.id;
    expect((await call('POST', `/v1/attempts/${attemptId}/submit`, school.student)).status).toBe(200);
    expect((await call('PUT', `/v1/attempts/${attemptId}/score`, school.teacher, { score: 7 })).status).toBe(200);
    // A session of another institution tells this endpoint nothing.
    const otherAdmin = school.stranger;
    await recordAs(t.app, otherAdmin);

    const want = (type: string, match: (d: Record<string, unknown>) => boolean) =>
      rx.received.some((r) => r.answered === 200 && payloadOf(r.body).type === type && match(payloadOf(r.body).data));
    await expect
      .poll(
        () =>
          [
            want('session.ended', (d) => d.sessionId === pasted.id),
            want('analysis.done', (d) => d.sessionId === pasted.id),
            want('flag.raised', (d) => d.sessionId === pasted.id),
            want('flag.reviewed', (d) => d.flagId === flags[0]!.id && d.decision === 'dismiss'),
            want('attempt.submitted', (d) => d.attemptId === attemptId),
            want('attempt.graded', (d) => d.attemptId === attemptId && d.score === 7),
          ].every(Boolean),
        { timeout: 60_000, interval: 200 },
      )
      .toBe(true);

    // Other messages of the same work (the attempt's own session ending and analysed, say) may still be
    // between their retries: wait until every message seen has been acknowledged.
    const acknowledged = () => {
      const ids = new Set(rx.received.map((r) => r.id));
      return [...ids].every((id) => rx.received.some((r) => r.id === id && r.answered === 200));
    };
    await expect.poll(acknowledged, { timeout: 60_000, interval: 200 }).toBe(true);
    // Every message was verified by standardwebhooks; each was refused twice, then acknowledged once and never sent again.
    expect(rx.received.every((r) => r.verified)).toBe(true);
    const byId = new Map<string, number[]>();
    for (const r of rx.received) byId.set(r.id, [...(byId.get(r.id) ?? []), r.answered]);
    for (const [id, answers] of byId) expect(answers, id).toEqual([500, 500, 200]);
    // One id per event: no (type, subject) came under two ids, and the other institution's session never came.
    const subjects = rx.received.filter((r) => r.answered === 200).map((r) => `${payloadOf(r.body).type} ${JSON.stringify(payloadOf(r.body).data)}`);
    expect(new Set(subjects).size).toBe(subjects.length);
    // Ids and summaries only: no text of the essay, no events.
    for (const r of rx.received) {
      const p = payloadOf(r.body);
      expect(Object.keys(p).sort()).toEqual(['data', 'timestamp', 'type']);
      expect(r.body).not.toMatch(/"events"|"ins"|"text"/);
      expect(r.body.length).toBeLessThan(600);
    }

    // The delivery log: three attempts each, status, latency and the answer's excerpt (the outcome is stored once the answer is read).
    const logged = () => call('GET', `/v1/admin/webhooks/${ep.id}/deliveries?limit=100`, school.admin);
    await expect.poll(async () => ((await logged()).body.items ?? []).every((d) => d.status === 'delivered'), { timeout: 30_000 }).toBe(true);
    const log = await logged();
    expect(log.status).toBe(200);
    const items = log.body.items as unknown as {
      id: string;
      status: string;
      attempts: number;
      log: { statusCode: number; latencyMs: number; responseExcerpt: string }[];
    }[];
    expect(items.length).toBe(byId.size);
    for (const d of items) {
      expect(d.status).toBe('delivered');
      expect(d.log.map((a) => a.statusCode)).toEqual([500, 500, 200]);
      expect(d.log[0]!.responseExcerpt).toBe('attempt 1 refused (500)');
      expect(d.log.every((a) => a.latencyMs >= 0)).toBe(true);
    }

    // Redelivery: the same id and body, once more, on demand.
    const again = items[0]!;
    const before = rx.received.filter((r) => r.id === again.id).length;
    expect((await call('POST', `/v1/admin/webhooks/${ep.id}/deliveries/${again.id}/redeliver`, school.admin)).status).toBe(202);
    await expect.poll(() => rx.received.filter((r) => r.id === again.id).length, { timeout: 30_000 }).toBe(before + 1);
    const [first, last] = [rx.received.find((r) => r.id === again.id)!, rx.received.filter((r) => r.id === again.id).at(-1)!];
    expect(last.body).toBe(first.body);
    expect(last.answered).toBe(200);
    // Audited: creating, and the redelivery.
    const audit = await call('GET', `/v1/admin/audit?resourceId=${ep.id}`, school.admin);
    const actions = (audit.body.items ?? []).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['webhook-endpoint.create', 'webhook-delivery.redeliver']));
  });

  it('signs with both secrets while a rotation overlaps, then with the new one only', async () => {
    const { receiver: rx, url } = await receiver(0);
    const ep = await endpoint(url, ['session.ended']);
    const rotated = await call('POST', `/v1/admin/webhooks/${ep.id}/rotate-secret`, school.admin, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(ep.secret);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();
    // A receiver that still holds the old secret, and one that already holds the new one, both verify.
    rx.secrets = [ep.secret];
    const s1 = await recordAs(t.app, school.student);
    await expect.poll(() => rx.received.find((r) => payloadOf(r.body).data.sessionId === s1.id)?.answered, { timeout: 30_000 }).toBe(200);
    const m1 = rx.received.find((r) => payloadOf(r.body).data.sessionId === s1.id)!;
    expect(rx.verifies(fresh, m1.body, m1.headers)).toBe(true);
    expect(String(m1.headers['webhook-signature']).split(' ')).toHaveLength(2);

    // Rotated again with no overlap: the old secrets no longer verify.
    const now = await call('POST', `/v1/admin/webhooks/${ep.id}/rotate-secret`, school.admin, { overlapSeconds: 0 });
    rx.secrets = [now.body.secret as string];
    const s2 = await recordAs(t.app, school.student);
    await expect.poll(() => rx.received.find((r) => payloadOf(r.body).data.sessionId === s2.id)?.answered, { timeout: 30_000 }).toBe(200);
    const m2 = rx.received.find((r) => payloadOf(r.body).data.sessionId === s2.id)!;
    expect(rx.verifies(ep.secret, m2.body, m2.headers)).toBe(false);
    expect(rx.verifies(fresh, m2.body, m2.headers)).toBe(false);
    expect(String(m2.headers['webhook-signature']).split(' ')).toHaveLength(1);
  });

  it('disables an endpoint whose message fails every attempt, records it and shows it; enabling it again works', async () => {
    const { receiver: rx, url } = await receiver(Infinity);
    const ep = await endpoint(url, ['session.ended']);
    rx.secrets = [ep.secret];
    const s = await recordAs(t.app, school.student);
    await expect
      .poll(async () => (await call('GET', `/v1/admin/webhooks/${ep.id}`, school.admin)).body.enabled, { timeout: 60_000, interval: 200 })
      .toBe(false);
    const shown = (await call('GET', `/v1/admin/webhooks/${ep.id}`, school.admin)).body;
    expect(shown.disabledReason).toMatch(/disabled after 4 failed attempts/);
    expect(rx.received.filter((r) => payloadOf(r.body).data.sessionId === s.id).map((r) => r.answered)).toEqual([500, 500, 500, 500]);
    const log = (await call('GET', `/v1/admin/webhooks/${ep.id}/deliveries`, school.admin)).body.items![0];
    expect(log).toMatchObject({ status: 'failed', attempts: 4, lastStatus: 500 });
    const audit = await call('GET', `/v1/admin/audit?resourceId=${ep.id}`, school.admin);
    expect((audit.body.items ?? []).map((a) => a.action)).toContain('webhook-endpoint.disable');
    // A disabled endpoint gets nothing new.
    const quiet = await recordAs(t.app, school.student);
    const n = rx.received.length;
    // Enabled again by the admin, the next event reaches it.
    rx.failFirst = 0;
    expect((await call('PATCH', `/v1/admin/webhooks/${ep.id}`, school.admin, { enabled: true })).body).toMatchObject({ enabled: true, disabledReason: null });
    const s2 = await recordAs(t.app, school.student);
    await expect.poll(() => rx.received.some((r) => payloadOf(r.body).data.sessionId === s2.id && r.answered === 200), { timeout: 30_000 }).toBe(true);
    expect(rx.received.slice(0, n).some((r) => payloadOf(r.body).data.sessionId === quiet.id)).toBe(false);
    expect(rx.received.some((r) => payloadOf(r.body).data.sessionId === quiet.id)).toBe(false);
  });

  it('only lets an admin of the tenant manage endpoints, and checks what they send', async () => {
    const { url } = await receiver(0);
    const ep = await endpoint(url, ['session.ended']);
    for (const who of [school.teacher, school.student, school.observer]) expect((await call('GET', '/v1/admin/webhooks', who)).status).toBe(403);
    expect((await call('GET', `/v1/admin/webhooks/${ep.id}`, school.stranger)).status).toBe(404);
    expect((await call('PATCH', `/v1/admin/webhooks/${ep.id}`, school.stranger, { enabled: false })).status).toBe(404);
    expect((await call('GET', '/v1/admin/webhooks', school.stranger)).body.items).toEqual([]);
    expect((await call('GET', '/v1/admin/webhooks', undefined)).status).toBe(401);
    // The secret is shown once: never in a list or a read.
    const list = await call('GET', '/v1/admin/webhooks', school.admin);
    expect(JSON.stringify(list.body)).not.toContain(ep.secret);
    for (const bad of [
      { url: 'ftp://example.com/x', events: ['session.ended'] },
      { url: 'https://user:pw@example.com/x', events: ['session.ended'] },
      { url: 'https://example.com/x', events: ['keystroke.typed'] },
      { url: 'https://example.com/x', events: [] },
      { url: 'https://example.com/x', events: ['session.ended'], secret: 'whsec_mine' },
    ]) {
      const r = await call('POST', '/v1/admin/webhooks', school.admin, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await call('GET', `/v1/admin/webhooks/${ep.id}/deliveries?cursor=notacursor`, school.admin)).status).toBe(400);
  });
});

describe(`SSRF care (${TEST_DB})`, () => {
  it('refuses endpoints on loopback or private addresses unless the server allows them', async () => {
    const strict = await createTestApp({ webhooks: { ...SETTINGS, allowPrivate: false } });
    cleanups.push(() => strict.close());
    const admin = (await buildInstitution(strict.app)).admin;
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://localhost/x',
      'http://10.1.2.3/x',
      'http://169.254.169.254/latest',
      'http://[::1]/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://192.168.1.1/',
    ]) {
      const r = await strict.app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: admin.headers, payload: { url, events: ['session.ended'] } });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().type, url).toBe('urn:veritas:problem:webhook-url-refused');
    }
  });
});
