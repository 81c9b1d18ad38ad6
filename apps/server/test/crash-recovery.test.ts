import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { macKeyFromToken, verifyChain, type VeritasEvent } from '@veritas/schema';
import { startServerProcess, writingEvents } from '../src/testing/server-process';
import { chainBatches, type SealedBatch } from '../src/testing/batches';
import { createPostgresDatabase, TEST_DB } from '../src/testing/test-database';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe(`nothing acknowledged is lost when the server is killed (${TEST_DB})`, () => {
  it('keeps every acknowledged event exactly once across SIGKILL, and the resend completes the session', async () => {
    const env: NodeJS.ProcessEnv = {};
    if (TEST_DB === 'postgres') {
      const pg = await createPostgresDatabase();
      cleanups.push(() => pg.drop());
      env.DATABASE_URL = pg.url;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'veritas-crash-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      env.VERITAS_DATA_DIR = dir;
    }

    let server = await startServerProcess(env);
    cleanups.push(() => void server.proc.kill('SIGKILL'));
    const created = await (
      await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'writing' }) })
    ).json();
    const { id, writeToken } = created as { id: string; writeToken: string };
    const events = writingEvents(3000);
    const batches = await chainBatches(id, events, 10, writeToken);
    const post = (url: string, b: SealedBatch) =>
      fetch(`${url}/v1/sessions/${id}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writeToken}` },
        body: JSON.stringify(b),
      });

    // Four senders keep batches in flight; the server is killed while they are.
    let maxAck = -1;
    let next = 0;
    let killed = false;
    const sender = async () => {
      while (!killed && next < batches.length) {
        const b = batches[next++]!;
        try {
          const r = await post(server.url, b);
          if (r.ok) maxAck = Math.max(maxAck, ((await r.json()) as { ack: number }).ack);
        } catch {
          return; // connection cut by the kill
        }
        if (maxAck >= 1200 && !killed) {
          killed = true;
          server.proc.kill('SIGKILL');
        }
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    expect(killed).toBe(true);
    // A process killed by a signal has signalCode set and exitCode null; it may be gone already.
    await new Promise((r) => (server.proc.exitCode !== null || server.proc.signalCode !== null ? r(null) : server.proc.once('exit', r)));

    server = await startServerProcess(env);
    const stored: VeritasEvent[] = [];
    for (let after = -1; ;) {
      const page = (await (await fetch(`${server.url}/v1/sessions/${id}/events?after=${after}&limit=5000`)).json()) as {
        items: VeritasEvent[];
        next: number | null;
      };
      stored.push(...page.items);
      if (page.next === null) break;
      after = page.next;
    }
    const seqs = stored.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length); // exactly once
    expect(seqs.length).toBeGreaterThan(maxAck); // every acknowledged event survived
    expect(stored.slice(0, maxAck + 1)).toEqual(events.slice(0, maxAck + 1));

    // The client resends everything it never saw acknowledged; stored ones are no-ops.
    for (const b of batches.filter((x) => x.firstSeq + x.events.length - 1 > maxAck)) {
      const r = await post(server.url, b);
      expect([200, 202]).toContain(r.status);
    }
    const meta = (await (await fetch(`${server.url}/v1/sessions/${id}`)).json()) as { ack: number };
    expect(meta.ack).toBe(events.length - 1);
    const bundle = (await (await fetch(`${server.url}/v1/sessions/${id}/bundle`)).json()) as { batches: SealedBatch[] };
    expect(await verifyChain(id, bundle.batches, await macKeyFromToken(writeToken))).toBeNull();
    expect(bundle.batches.flatMap((b) => b.events)).toEqual(events);
    server.proc.kill('SIGTERM');
  });
});
