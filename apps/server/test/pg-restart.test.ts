import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { genesisHash, macKeyFromToken, sealBatch, type VeritasEvent } from '@veritas/schema';
import { TEST_DB } from '../src/testing/test-database';
import { startServerProcess } from '../src/testing/server-process';

/**
 * Issue 8, point 1: stopping PostgreSQL under load must never kill `veritas serve`. This test
 * starts its OWN cluster (initdb as the postgres user, its own port and temp directory; the
 * shared one on 5432 is never touched), runs the server as a child process against it, keeps
 * several writers sending batches, and stops/starts the cluster ten times, alternating
 * `pg_ctl stop -m fast` and `-m immediate`.
 */

const RESTARTS = 10;
const WRITERS = 4;

function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

const BIN = postgresBin();
const canRunAsPostgres = (() => {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
})();
const skipReason =
  TEST_DB !== 'postgres'
    ? 'runs in the PostgreSQL pass only (VERITAS_TEST_DB=postgres)'
    : !BIN
      ? 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin'
      : !canRunAsPostgres
        ? 'needs root to run initdb as the postgres user'
        : undefined;

function asPostgres(cmd: string, args: string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', join(BIN!, cmd), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A throwaway PostgreSQL cluster in a temp dir on its own port. */
async function startCluster() {
  const dir = mkdtempSync(join(tmpdir(), 'veritas-pgrestart-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  chownSync(
    dir,
    Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  );
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = () => asPostgres('pg_ctl', ['start', '-D', data, '-w', '-t', '120', '-l', join(dir, 'log'), '-o', opts]);
  const stop = (mode: 'fast' | 'immediate') => asPostgres('pg_ctl', ['stop', '-D', data, '-w', '-t', '120', '-m', mode]);
  start();
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('create database veritas');
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/veritas`,
    start,
    stop,
    destroy: () => {
      try {
        stop('immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Writer {
  id: string;
  acked: number;
  sent: number;
  answers: Map<number, number>;
  violations: string[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.skipIf(skipReason !== undefined)(`the server survives PostgreSQL restarts under load${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it(
    `keeps serving across ${RESTARTS} stops (fast and immediate): 2xx or 503 with Retry-After, never an exit, nothing acknowledged lost or doubled`,
    { timeout: 900_000 },
    async () => {
      const cluster = await startCluster();
      cleanups.push(() => cluster.destroy());
      const server = await startServerProcess({ DATABASE_URL: cluster.url });
      let exited: string | null = null;
      server.proc.on('exit', (code, signal) => (exited = `exit code ${code}, signal ${signal}\n${server.output()}`));
      cleanups.push(() => void server.proc.kill('SIGKILL'));

      const writers: Writer[] = [];
      for (let w = 0; w < WRITERS; w++) {
        const r = await fetch(`${server.url}/v1/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'writing' }),
        });
        expect(r.status).toBe(201);
        const { id, writeToken } = (await r.json()) as { id: string; writeToken: string };
        writers.push({ id, acked: -1, sent: 0, answers: new Map(), violations: [], ...{ writeToken } } as Writer & { writeToken: string });
      }

      let stopping = false;
      const event = (seq: number): VeritasEvent => ({
        seq,
        t: seq * 20,
        type: 'text.op',
        data: { pos: seq, del: 0, ins: String.fromCharCode(97 + (seq % 26)), cause: 'type', trusted: true },
      });
      const run = async (w: Writer & { writeToken?: string }) => {
        const key = await macKeyFromToken(w.writeToken!);
        let prev = await genesisHash(w.id);
        let next = 0;
        while (!stopping) {
          const batch = await sealBatch(
            Array.from({ length: 5 }, (_, i) => event(next + i)),
            prev,
            key,
          );
          // Resend the same batch until it is acknowledged, as a recorder does.
          for (;;) {
            if (exited) return;
            let res: Response;
            try {
              w.sent++;
              res = await fetch(`${server.url}/v1/sessions/${w.id}/events`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${w.writeToken}` },
                body: JSON.stringify(batch),
              });
            } catch (err) {
              if (!exited) w.violations.push(`request failed: ${(err as Error).message}`);
              return;
            }
            w.answers.set(res.status, (w.answers.get(res.status) ?? 0) + 1);
            const body = await res.text();
            if (res.status === 200 || res.status === 202) {
              const { ack } = JSON.parse(body) as { ack: number };
              w.acked = Math.max(w.acked, ack);
              break;
            }
            if (res.status === 503) {
              if (!res.headers.get('retry-after')) w.violations.push('503 without Retry-After');
              if (!(res.headers.get('content-type') ?? '').startsWith('application/problem+json'))
                w.violations.push(`503 as ${res.headers.get('content-type')}`);
              await new Promise((r) => setTimeout(r, 100)); // back off, as a client told to retry does
              continue;
            }
            w.violations.push(`${res.status}: ${body.slice(0, 300)}`);
            await new Promise((r) => setTimeout(r, 100));
          }
          prev = batch.hash;
          next += batch.events.length;
        }
      };
      const running = writers.map((w) => run(w));
      const acked = () => writers.reduce((n, w) => n + w.acked + 1, 0);
      const outageAnswers = () => writers.reduce((n, w) => n + (w.answers.get(503) ?? 0), 0);

      const restarts: string[] = [];
      try {
        for (let i = 0; i < RESTARTS; i++) {
          const before = acked();
          // Under load: every writer has had batches acknowledged since the last restart.
          const each = writers.map((w) => w.acked);
          await until(`load before restart ${i + 1}`, () => exited !== null || writers.every((w, k) => w.acked >= each[k]! + 25));
          if (exited) break;
          const mode = i % 2 === 0 ? 'fast' : 'immediate';
          const seen503 = outageAnswers();
          cluster.stop(mode);
          // The outage is visible: clients are told to come back (503), the process lives.
          await until(`503 during outage ${i + 1}`, () => exited !== null || outageAnswers() > seen503);
          cluster.start();
          const afterStart = acked();
          await until(`recovery after restart ${i + 1}`, () => exited !== null || acked() > afterStart + WRITERS * 10);
          restarts.push(`${mode}: acked ${before} → ${acked()}`);
          if (exited) break;
        }
      } finally {
        stopping = true;
        await Promise.all(running);
      }
      expect(exited, `the server died during restart ${restarts.length + 1}: ${exited}`).toBeNull();
      expect(restarts).toHaveLength(RESTARTS);
      expect(writers.flatMap((w) => w.violations)).toEqual([]);

      // Every acknowledged event is stored exactly once, in order, and nothing beyond what was sent.
      for (const w of writers) {
        const stored: VeritasEvent[] = [];
        for (let after = -1; ;) {
          const r = await fetch(`${server.url}/v1/sessions/${w.id}/events?after=${after}&limit=5000`);
          expect(r.status).toBe(200);
          const page = (await r.json()) as { items: VeritasEvent[]; next: number | null };
          stored.push(...page.items);
          if (page.next === null) break;
          after = page.next;
        }
        expect(stored.length).toBeGreaterThanOrEqual(w.acked + 1);
        expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i));
        expect(stored).toEqual(stored.map((e) => event(e.seq)));
      }
      server.proc.kill('SIGTERM');
    },
  );
});
