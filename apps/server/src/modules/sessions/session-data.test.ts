import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildBatches, createSession, type CreatedSession } from '../../testing/factories';
import { typingEvents } from '../../testing/batches';
import { TEST_DB } from '../../testing/test-database';
import { PUBLIC_SCOPE } from '../../kernel/scope';

/** GET /v1/sessions/{id}/data (issue 14): an ended session's raw data as JSON or CSV, streamed. */
let t: TestApp;

const sensorEvents = (batches: number, perBatch: number): VeritasEvent[] =>
  Array.from({ length: batches }, (_, b) => ({
    seq: b,
    t: b * 50,
    type: 'sensor',
    data: { kind: 'accel', samples: Array.from({ length: perBatch }, (_, i) => [b * 50 + i * 10, i * 0.5, 0 - i, 9.81]) },
  }));

async function recorded(kind: 'sensor' | 'writing', events: VeritasEvent[], end = true): Promise<CreatedSession> {
  const s = await createSession(t.app, { kind });
  for (const b of await buildBatches({ sessionId: s.id, writeToken: s.writeToken, events, size: 3 })) {
    const r = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: b });
    expect(r.statusCode, r.body).toBe(200);
  }
  if (end)
    expect((await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } })).statusCode).toBe(
      200,
    );
  return s;
}

const lines = (csv: string) => csv.split('\r\n').filter((l) => l !== '');

async function text(stream: AsyncGenerator<string>): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk;
  return out;
}

describe(`a session's raw data (${TEST_DB})`, () => {
  beforeAll(async () => {
    t = await createTestApp({ publicSessions: true });
  });
  afterAll(async () => t?.close());

  it('gives a sensor session as one CSV row per sample, and as JSON with every event', async () => {
    const events = sensorEvents(7, 4);
    const s = await recorded('sensor', events);
    const csv = await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/data?format=csv` });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="session-${s.id}.csv"`);
    const rows = lines(csv.body);
    expect(rows[0]).toBe('seq,sensor,t,x,y,z,v4,v5,v6,v7');
    expect(rows).toHaveLength(1 + 7 * 4);
    expect(rows[1]).toBe('0,accel,0,0,0,9.81');
    expect(rows[1 + 4 * 3 + 2]).toBe('3,accel,170,1,-2,9.81');

    const json = await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/data` });
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const body = json.json();
    expect(body.session).toMatchObject({ id: s.id, kind: 'sensor' });
    expect(body.events).toEqual(events);
  });

  it('gives any other session one CSV row per event, its data as JSON in one quoted cell', async () => {
    const events: VeritasEvent[] = [...typingEvents('a,"b"'), { seq: 5, t: 900, type: 'mark', data: { label: '=HYPERLINK("x")' } }];
    const s = await recorded('writing', events);
    const rows = lines((await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/data?format=csv` })).body);
    expect(rows[0]).toBe('seq,t,type,data');
    expect(rows).toHaveLength(1 + events.length);
    // seq, t and type, then the data as one RFC 4180 quoted cell (key order is the database's).
    const cells = rows.slice(1).map((row) => {
      const m = /^(\d+),(\d+),([a-z.]+),"(.*)"$/.exec(row);
      expect(m, row).not.toBeNull();
      return { seq: Number(m![1]), t: Number(m![2]), type: m![3], data: JSON.parse(m![4]!.replace(/""/g, '"')) };
    });
    expect(cells).toEqual(events);
  });

  it('streams page by page with the same bytes as the whole (JSON and CSV)', async () => {
    const events = sensorEvents(10, 2);
    const s = await recorded('sensor', events);
    const byPage = await text(await t.app.services.sessions.data(PUBLIC_SCOPE, s.id, 'json', 3));
    const whole = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/data` })).body;
    expect(byPage).toBe(whole);
    expect(JSON.parse(byPage).events).toEqual(events);
    const csvByPage = await text(await t.app.services.sessions.data(PUBLIC_SCOPE, s.id, 'csv', 4));
    expect(csvByPage).toBe((await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/data?format=csv` })).body);
  });

  it('refuses an active session (409), an unknown one (404) and an unknown format (400), as problems', async () => {
    const active = await recorded('writing', typingEvents('still going'), false);
    const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${active.id}/data` });
    expect(r.statusCode).toBe(409);
    expect(r.json().type).toBe('urn:veritas:problem:session-not-ended');
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA/data' });
    expect(unknown.statusCode).toBe(404);
    const xml = await t.app.inject({ method: 'GET', url: `/v1/sessions/${active.id}/data?format=xml` });
    expect(xml.statusCode).toBe(400);
    expect(xml.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
