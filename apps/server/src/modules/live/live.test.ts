import { connect } from 'node:net';
import type { VeritasEvent } from '@veritas/schema';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import { openSse, type SseClient } from '../../testing/sse-client';
import { baseOf, end, range, send, seqs, studentSession, ticketFor } from '../../testing/live';
import { typingEvents } from '../../testing/batches';
import { createSession } from '../../testing/factories';
import { buildApp, type App } from '../../http/app';
import { connectRedis, redisReady } from '../../roles/server';
import { openPostgres, type Database } from '../../platform/db/database';
import { TEST_DB, TEST_REDIS_URL } from '../../testing/test-database';
import { createEventBus } from '../../kernel/events';
import { PUBLIC_SCOPE } from '../../kernel/scope';
import type { HubMessage, LiveHub } from '../../platform/hub/live-hub';
import { NUDGE_EVENTS_MAX_CHARS, sessionChannel, subscribeLive } from './live.subscriptions';

describe('a session live (SSE)', () => {
  let t: TestApp;
  let base: string;
  let school: Institution;
  const open: SseClient[] = [];
  const watch = async (url: string, headers: Record<string, string> = {}) => {
    const c = await openSse(`${base}${url}`, headers);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    // Heartbeats far apart: whatever a viewer receives live came through the hub, not a heartbeat's read.
    t = await createTestApp({ live: { heartbeatMs: 600_000, recheckMs: 100, maxBufferedBytes: 64 * 1024 } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = baseOf(t.app);
    school = await buildInstitution(t.app);
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await t?.close();
  });

  it('sends the committed events, then each batch as it is committed, then the end', async () => {
    const s = await studentSession(t.app, school.student);
    await send(t.app, s, 0);
    await send(t.app, s, 1);
    const viewer = await watch(`/v1/sessions/${s.id}/live?ticket=${await ticketFor(t.app, school.teacher.headers, s.id)}`);
    expect(viewer.status).toBe(200);
    expect(viewer.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(viewer.headers.get('cache-control')).toContain('no-cache');
    expect(viewer.headers.get('x-accel-buffering')).toBe('no');
    await viewer.until((c) => seqs(c).length >= 10, 'the stored events');
    await send(t.app, s, 2);
    await viewer.until((c) => seqs(c).length >= 15, 'the third batch, live');
    await send(t.app, s, 3);
    await viewer.until((c) => seqs(c).length >= 20, 'the fourth batch, live');
    expect(seqs(viewer)).toEqual(range(0, 19));
    const stored = typingEvents('abcdefghijklmnopqrst');
    expect(viewer.messages.map((m) => JSON.parse(m.data) as unknown)).toEqual(stored);
    await end(t.app, s);
    await viewer.closed;
    expect(viewer.messages.at(-1)).toMatchObject({ event: 'end' });
    expect(JSON.parse(viewer.messages.at(-1)!.data)).toEqual({ lastSeq: 19 });
    expect(seqs(viewer)).toEqual(range(0, 19));
  });

  it('resumes with Last-Event-ID or ?after= with exactly what was missed, once, then goes on live', async () => {
    const s = await studentSession(t.app, school.student);
    await send(t.app, s, 0);
    await send(t.app, s, 1);
    const ticket = await ticketFor(t.app, school.teacher.headers, s.id);
    const byHeader = await watch(`/v1/sessions/${s.id}/live?ticket=${ticket}`, { 'last-event-id': '6' });
    // A ticket opens streams of its session while it lasts (EventSource reconnects with the same URL).
    const byQuery = await watch(`/v1/sessions/${s.id}/live?ticket=${ticket}&after=3`);
    // The header is what EventSource sends on reconnection: it wins over the URL's after.
    const both = await watch(`/v1/sessions/${s.id}/live?ticket=${ticket}&after=0`, { 'last-event-id': '8' });
    await byHeader.until((c) => seqs(c).length >= 3, 'seqs 7 to 9');
    await byQuery.until((c) => seqs(c).length >= 6, 'seqs 4 to 9');
    await both.until((c) => seqs(c).length >= 1, 'seq 9');
    await send(t.app, s, 2);
    await send(t.app, s, 3);
    await byHeader.until((c) => seqs(c).includes(19), 'seq 19');
    await byQuery.until((c) => seqs(c).includes(19), 'seq 19');
    await both.until((c) => seqs(c).includes(19), 'seq 19');
    expect(seqs(byHeader)).toEqual(range(7, 19));
    expect(seqs(byQuery)).toEqual(range(4, 19));
    expect(seqs(both)).toEqual(range(9, 19));
  });

  it('tells the hub each commit (its highest seq and, being small, its events as stored) and the end', async () => {
    const s = await studentSession(t.app, school.student);
    const told: unknown[] = [];
    const unsubscribe = await t.app.services.hub.subscribe(sessionChannel(s.id), (m) => told.push(m));
    try {
      await send(t.app, s, 0);
      await send(t.app, s, 1);
      await end(t.app, s);
      await expect.poll(() => told.length).toBe(3);
      const stored = typingEvents('abcdefghijklmnopqrst');
      expect(told).toEqual([{ seq: 4, events: stored.slice(0, 5) }, { seq: 9, events: stored.slice(5, 10) }, { ended: true }]);
    } finally {
      unsubscribe();
    }
  });

  it('reads from the database a batch too large to ride on its nudge, and events that do not follow what was offered', async () => {
    const pad = (seq: number): VeritasEvent => ({ seq, t: seq * 10, type: 'custom', data: { name: 'pad', data: 'y'.repeat(2000) } }) as VeritasEvent;
    const events = Array.from({ length: 30 }, (_, i) => pad(i));
    const s = await studentSession(t.app, school.student, events, 10);
    expect(JSON.stringify(events.slice(10, 20)).length).toBeGreaterThan(NUDGE_EVENTS_MAX_CHARS);
    await send(t.app, s, 0);
    const viewer = await watch(`/v1/sessions/${s.id}/live?ticket=${await ticketFor(t.app, school.teacher.headers, s.id)}`);
    await viewer.until((c) => seqs(c).length >= 10, 'the stored events');
    const told: unknown[] = [];
    const unsubscribe = await t.app.services.hub.subscribe(sessionChannel(s.id), (m) => told.push(m));
    try {
      await send(t.app, s, 1);
      await viewer.until((c) => seqs(c).includes(19), 'the large batch, read on its bare nudge');
      expect(told).toEqual([{ seq: 19 }]);
      // A message whose events do not follow what the feed offered (one lost before it): the feed
      // reads the database instead, which holds nothing after 19, so nothing is sent.
      await t.app.services.hub.publish(sessionChannel(s.id), { seq: 25, events: [{ seq: 25, t: 250, type: 'custom', data: { name: 'not stored', data: 1 } }] });
      // An old message again (a duplicate, or out of order): nothing is sent twice.
      await t.app.services.hub.publish(sessionChannel(s.id), { seq: 9, events: events.slice(5, 10) as unknown as HubMessage[] });
      await send(t.app, s, 2);
      await viewer.until((c) => seqs(c).includes(29), 'the third batch');
      expect(seqs(viewer)).toEqual(range(0, 29));
      expect(viewer.messages.map((m) => JSON.parse(m.data) as unknown)).toEqual(events);
    } finally {
      unsubscribe();
    }
  });

  it('drops a viewer that does not read past the buffer bound, while ingest keeps acknowledging', async () => {
    const big = (seq: number): VeritasEvent => ({ seq, t: seq * 10, type: 'custom', data: { name: 'blob', data: 'x'.repeat(100_000) } }) as VeritasEvent;
    const s = await studentSession(
      t.app,
      school.student,
      Array.from({ length: 1000 }, (_, i) => big(i)),
      10,
    );
    const ticket = await ticketFor(t.app, school.teacher.headers, s.id);
    const before = t.app.services.liveStreams.stats().closed.slow;
    // A client that sends its request and never reads a byte of the answer.
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.pause();
    socket.write(`GET /v1/sessions/${s.id}/live?ticket=${ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
    await expect.poll(() => t.app.services.liveStreams.stats().open).toBeGreaterThan(0);
    try {
      let sent = 0;
      // Each batch is 1 MB of events; the loopback socket's buffers absorb some MB before ours fill.
      while (t.app.services.liveStreams.stats().closed.slow === before) {
        if (sent === s.batches.length) throw new Error('the slow viewer was never dropped');
        await send(t.app, s, sent++);
        await new Promise((r) => setImmediate(r));
      }
      // Ingest went on acknowledging (every send above answered 200), and goes on after the drop.
      await send(t.app, s, sent);
      expect(t.app.services.liveStreams.stats().closed.slow).toBe(before + 1);
    } finally {
      socket.destroy();
    }
  });
});

describe('a deleted session live', () => {
  it('ends the stream of a session deleted while watched, without an end event', async () => {
    const t = await createTestApp({ live: { heartbeatMs: 600_000, recheckMs: 100, maxBufferedBytes: 64 * 1024 } });
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const school = await buildInstitution(t.app);
      const s = await studentSession(t.app, school.student);
      await send(t.app, s, 0);
      const viewer = await openSse(`${baseOf(t.app)}/v1/sessions/${s.id}/live`, school.admin.headers);
      await viewer.until((c) => seqs(c).length === 5, 'the stored events');
      const r = await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${s.id}`, headers: school.admin.headers });
      expect(r.statusCode, r.body).toBe(204);
      await viewer.until((c) => c.isClosed(), 'the stream to close', 5_000);
      expect(viewer.messages.some((m) => m.event === 'end')).toBe(false);
      expect(t.app.services.liveStreams.stats().closed.access).toBe(1);
    } finally {
      await t.close();
    }
  });
});

describe('a public session live', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ live: { heartbeatMs: 50, recheckMs: 1000, maxBufferedBytes: 64 * 1024 } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = baseOf(t.app);
  });
  afterAll(async () => t?.close());

  it('is read by its id alone, and heartbeats keep the connection busy', async () => {
    const session = await createSession(t.app, { kind: 'sensor' });
    const viewer = await openSse(`${base}/v1/sessions/${session.id}/live`);
    try {
      expect(viewer.status).toBe(200);
      await viewer.until((c) => c.comments >= 3, 'three heartbeats');
      expect(viewer.messages).toEqual([]);
      // A ticket that does not hold is refused, even where the id alone reads.
      expect((await openSse(`${base}/v1/sessions/${session.id}/live?ticket=${'b'.repeat(43)}`)).status).toBe(401);
    } finally {
      viewer.close();
    }
  });
});

describe('a server closing', () => {
  it('ends its open streams instead of waiting for them', async () => {
    const t = await createTestApp({ live: { heartbeatMs: 600_000, recheckMs: 600_000, maxBufferedBytes: 64 * 1024 } });
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const session = await createSession(t.app, { kind: 'sensor' });
      const viewer = await openSse(`${baseOf(t.app)}/v1/sessions/${session.id}/live`);
      expect(viewer.status).toBe(200);
      await expect.poll(() => t.app.services.liveStreams.stats().open).toBe(1);
      await t.app.close();
      await viewer.closed;
      expect(t.app.services.liveStreams.stats().closed.shutdown).toBe(1);
    } finally {
      await t.db.drop();
      t.redis?.disconnect();
    }
  });
});

describe.runIf(TEST_DB === 'postgres' && TEST_REDIS_URL !== undefined)('two instances on one PostgreSQL and one Redis', () => {
  let first: TestApp;
  let second: App;
  let secondRedis: Redis;
  let secondDb: Database;
  beforeAll(async () => {
    const live = { heartbeatMs: 600_000, recheckMs: 1000, maxBufferedBytes: 1024 * 1024 };
    first = await createTestApp({ live });
    // Another instance: its own pool on the same database, its own Redis connections, the same hub.
    secondDb = openPostgres(first.db.url!, 5);
    secondRedis = connectRedis(TEST_REDIS_URL!);
    await redisReady(secondRedis);
    second = await buildApp({ config: first.app.config, database: secondDb, redis: secondRedis, logger: false });
    await second.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await second?.close();
    secondRedis?.disconnect();
    await secondDb?.close();
    await first?.close();
  });

  it('a viewer on the second instance receives the events ingested through the first, with a ticket issued by the first', async () => {
    expect(first.app.services.hub.driver).toBe('redis');
    const school = await buildInstitution(first.app);
    const s = await studentSession(first.app, school.student);
    await send(first.app, s, 0);
    const ticket = await ticketFor(first.app, school.teacher.headers, s.id);
    const viewer = await openSse(`${baseOf(second)}/v1/sessions/${s.id}/live?ticket=${ticket}`);
    try {
      expect(viewer.status).toBe(200);
      await viewer.until((c) => seqs(c).length === 5, 'the stored events');
      await send(first.app, s, 1);
      await send(first.app, s, 2);
      await viewer.until((c) => seqs(c).includes(14), 'the batches ingested by the first instance');
      await end(first.app, s);
      await viewer.closed;
      expect(seqs(viewer)).toEqual(range(0, 14));
      expect(viewer.messages.at(-1)).toMatchObject({ event: 'end' });
    } finally {
      viewer.close();
    }
  });
});

describe('the hub fan-out', () => {
  it('never lets a hub that throws or rejects reach the publisher of the commit', async () => {
    const bus = createEventBus();
    const reported: string[] = [];
    const report = (err: unknown) => reported.push((err as Error).message);
    const throwing = {
      publish: () => {
        throw new Error('thrown');
      },
    } as unknown as LiveHub;
    const rejecting = { publish: () => Promise.reject(new Error('rejected')) } as unknown as LiveHub;
    const hanging = { publish: () => new Promise<boolean>(() => {}) } as unknown as LiveHub;
    subscribeLive(bus, throwing, report);
    subscribeLive(bus, rejecting, report);
    subscribeLive(bus, hanging, report);
    const event = { sessionId: 's', scope: PUBLIC_SCOPE, events: typingEvents('ab') };
    // Resolves at once although one hub never answers: the commit's publisher waits for nobody.
    await expect(bus.publish('batch.committed', event)).resolves.toBeUndefined();
    await expect(bus.publish('session.ended', { sessionId: 's', scope: PUBLIC_SCOPE })).resolves.toBeUndefined();
    await expect.poll(() => reported.sort()).toEqual(['rejected', 'rejected', 'thrown', 'thrown']);
  });
});
