import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReplayIndex, buildReplayIndexFromBundle, createReplayDecoder, encodeReplay, replayNaive } from '@veritas/replay';
import { createReplayService } from './replay.service';
import { simulate, toBundle } from '@veritas/simulator';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { chainBatches } from '../../testing/batches';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('GET /v1/sessions/{id}/replay', () => {
  it('streams replay data that rebuilds the text at every point', async () => {
    const sim = simulate('mixed', 11);
    const bundle = await toBundle(sim, { sessionId: 'replayRouteSession01' });
    expect((await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: bundle })).statusCode).toBe(201);

    const r = await t.app.inject({ method: 'GET', url: '/v1/sessions/replayRouteSession01/replay?chunkRows=256' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('application/x-ndjson');
    const lines = r.body.trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    const decoder = createReplayDecoder();
    for (const line of lines) decoder.push(`${line}\n`);
    const index = decoder.finish();
    expect(index.finalText()).toBe(sim.finalText);
    const mid = sim.events[Math.floor(sim.events.length / 2)]!.seq;
    expect(index.textAt(mid)).toBe(replayNaive(sim.events, mid));
  });

  it('sends the same lines as encoding the whole bundle in memory, read from the events table a few rows at a time', async () => {
    const sim = simulate('paste', 5);
    const bundle = await toBundle(sim, { sessionId: 'replayRouteSession03' });
    expect((await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: bundle })).statusCode).toBe(201);
    const expected = encodeReplay(buildReplayIndexFromBundle(bundle), { chunkRows: 128 });

    const r = await t.app.inject({ method: 'GET', url: '/v1/sessions/replayRouteSession03/replay?chunkRows=128' });
    expect(r.body).toBe(expected);

    // The same service over pages of 7 events: the page boundaries change nothing.
    const paged = createReplayService({ sessions: t.app.services.sessions, pageSize: 7 });
    let text = '';
    for await (const chunk of await paged.stream({ tenantId: null }, 'replayRouteSession03', { chunkRows: 128 })) text += chunk;
    expect(sim.events.length).toBeGreaterThan(7 * 3);
    expect(text).toBe(expected);
  });

  it('colours input without keys as an input method when the session sets the assistive-technology accommodation', async () => {
    const sim = simulate('assistive', 4);
    const replayOf = async (analysis: object) => {
      const s = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing', analysis } })).json() as {
        id: string;
        writeToken: string;
      };
      for (const b of await chainBatches(s.id, sim.events, 200, s.writeToken)) {
        const r = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: b });
        expect(r.statusCode, r.body).toBe(200);
      }
      return { id: s.id, body: (await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/replay?chunkRows=128` })).body };
    };
    const accommodated = await replayOf({ assistiveTechnology: true });
    const plain = await replayOf({});
    const expected = (id: string, assistiveTechnology: boolean) =>
      encodeReplay(buildReplayIndex(sim.events, { sessionId: id, kind: 'writing', assistiveTechnology }), { chunkRows: 128 });
    expect(accommodated.body).toBe(expected(accommodated.id, true));
    expect(plain.body).toBe(expected(plain.id, false));
    expect(accommodated.body.replace(accommodated.id, '')).not.toBe(plain.body.replace(plain.id, ''));
  });

  it('answers problems for unknown and malformed ids and bad options', async () => {
    expect((await t.app.inject('/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA/replay')).json().type).toBe('urn:veritas:problem:not-found');
    expect((await t.app.inject('/v1/sessions/x/replay')).statusCode).toBe(400);
    const sim = simulate('genuine', 3);
    await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: await toBundle(sim, { sessionId: 'replayRouteSession02' }) });
    const bad = await t.app.inject('/v1/sessions/replayRouteSession02/replay?chunkRows=1');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().type).toBe('urn:veritas:problem:invalid-request');
  });
});
