import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServerProcess, writingEvents, type ServerProcess } from '../src/testing/server-process';
import { chainBatches, type SealedBatch } from '../src/testing/batches';
import { createPostgresDatabase, TEST_DB } from '../src/testing/test-database';
import { freePort, OwnRedis } from '../src/testing/own-redis';
import { openSse, type SseClient } from '../src/testing/sse-client';
import { range, seqs } from '../src/testing/live';

/**
 * Issue 13: when Redis goes away, ingest goes on, and the live streams catch up from the database
 * once it is back. The test runs its own Redis (its own port; the shared one is never touched) and
 * the server as real processes: two instances on one PostgreSQL in the PostgreSQL pass, one on
 * PGlite (which one process holds) otherwise. Heartbeats are ten minutes apart, so whatever a
 * viewer receives after the restart came from the hub's resync, not from a heartbeat's read.
 */

const BATCH = 10;
const BATCHES = 60;
const CEILING_MS = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function send(server: ServerProcess, id: string, writeToken: string, batch: SealedBatch): Promise<number> {
  const r = await fetch(`${server.url}/v1/sessions/${id}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${writeToken}` },
    body: JSON.stringify(batch),
  });
  await r.text();
  return r.status;
}

describe(`live streams across a Redis outage (${TEST_DB})`, () => {
  it('ingest goes on while Redis is down, and every viewer ends with every committed event exactly once, in order', async () => {
    const redis = new OwnRedis(await freePort());
    cleanups.push(() => redis.stop());
    await redis.start();

    const env: NodeJS.ProcessEnv = {
      REDIS_URL: redis.url,
      VERITAS_LIVE_HEARTBEAT_MS: '600000',
      VERITAS_RATE_INGEST_PER_MIN: '1000000',
      VERITAS_RATE_ANON_PER_MIN: '1000000',
    };
    let instances = 1;
    if (TEST_DB === 'postgres') {
      const pg = await createPostgresDatabase();
      cleanups.push(() => pg.drop());
      env.DATABASE_URL = pg.url;
      instances = 2;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'veritas-live-outage-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      env.VERITAS_DATA_DIR = dir;
    }
    const servers: ServerProcess[] = [];
    for (let i = 0; i < instances; i++) {
      const server = await startServerProcess(env);
      cleanups.push(() => void server.proc.kill('SIGKILL'));
      servers.push(server);
    }
    const writer = servers[0]!;
    const created = await fetch(`${writer.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'writing' }),
    });
    expect(created.status).toBe(201);
    const { id, writeToken } = (await created.json()) as { id: string; writeToken: string };
    const batches = await chainBatches(id, writingEvents(BATCH * BATCHES), BATCH, writeToken);
    const lastOf = (batch: number) => batch * BATCH - 1;

    const viewers: SseClient[] = [];
    const watch = async (server: ServerProcess, after = -1) => {
      const viewer = await openSse(`${server.url}/v1/sessions/${id}/live?after=${after}`);
      cleanups.push(() => viewer.close());
      expect(viewer.status).toBe(200);
      viewers.push(viewer);
      return viewer;
    };
    // Two viewers on each instance, one of them resuming from the middle of what will be sent.
    for (const server of servers) {
      await watch(server);
      await watch(server, 4);
    }
    const allHave = (last: number, of = viewers) => Promise.all(of.map((v) => v.until((c) => seqs(c).includes(last), `seq ${last}`, CEILING_MS)));

    // Live through the hub (heartbeats are ten minutes apart).
    for (let b = 0; b < 20; b++) expect(await send(writer, id, writeToken, batches[b]!)).toBe(200);
    await allHave(lastOf(20));

    await redis.stop();
    // Ingest goes on: every batch sent while Redis is down is acknowledged.
    for (let b = 20; b < 40; b++) expect(await send(writer, id, writeToken, batches[b]!)).toBe(200);
    // A viewer arriving during the outage is served what is stored.
    const late = await watch(servers[servers.length - 1]!);
    await late.until((c) => seqs(c).includes(lastOf(40)), 'what was stored before it came', CEILING_MS);
    // Nothing told the others: they still wait (a heartbeat's read is minutes away).
    for (const v of viewers.filter((v) => v !== late)) expect(Math.max(...seqs(v))).toBeLessThan(lastOf(40));

    await redis.start();
    // No new batch yet: what brings the viewers up to date is the hub's resync, read from the database.
    await allHave(lastOf(40));

    for (let b = 40; b < BATCHES; b++) expect(await send(writer, id, writeToken, batches[b]!)).toBe(200);
    const ended = await fetch(`${writer.url}/v1/sessions/${id}/end`, { method: 'POST', headers: { authorization: `Bearer ${writeToken}` } });
    expect(ended.status).toBe(200);
    await Promise.all(viewers.map((v) => v.until((c) => c.isClosed(), 'the end of the stream', CEILING_MS)));

    const all = range(0, lastOf(BATCHES));
    for (const v of viewers) {
      const resumedAfter = viewers.indexOf(v) % 2 === 1 && v !== late ? 4 : -1;
      expect(seqs(v)).toEqual(all.filter((s) => s > resumedAfter));
      expect(v.messages.at(-1)).toMatchObject({ event: 'end' });
      expect(JSON.parse(v.messages.at(-1)!.data)).toEqual({ lastSeq: lastOf(BATCHES) });
    }
  }, 180_000);
});
