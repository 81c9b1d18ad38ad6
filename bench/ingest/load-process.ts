/**
 * The load generator in a process of its own (spawned by ingest.ts, optionally pinned to a core with
 * `taskset`), so its CPU is measured apart from the server's and PostgreSQL's. It takes orders over
 * the IPC channel: seal batches for n clients (timed: the sealing cost), then run a load on them.
 */
import { performance } from 'node:perf_hooks';
import { prepareClients, runLoad, type Client } from './load';

export type LoadOrder =
  | { kind: 'prepare'; tag: string; url: string; clients: number; batchesEach: number; batchSize: number }
  | { kind: 'run'; tag: string; url: string; batchSize: number; intervalMs: number; seconds: number };

export type LoadReply =
  | { kind: 'prepared'; tag: string; batches: number; sealSeconds: number; cpuSeconds: number }
  | {
      kind: 'ran';
      tag: string;
      rate: number;
      latenciesMs: number[];
      steadyLatenciesMs: number[];
      fromDueMs: number[];
      lateMs: number[];
      loopDelayMs: { p99: number; max: number };
      errors: number;
      cpuSeconds: number;
    }
  | { kind: 'failed'; message: string };

const prepared = new Map<string, Client[]>();
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

async function handle(o: LoadOrder): Promise<LoadReply> {
  const cpu = process.cpuUsage();
  if (o.kind === 'prepare') {
    const started = performance.now();
    const clients = await prepareClients(o.url, o.clients, o.batchesEach, o.batchSize);
    prepared.set(o.tag, clients);
    return {
      kind: 'prepared',
      tag: o.tag,
      batches: o.clients * o.batchesEach,
      sealSeconds: (performance.now() - started) / 1000,
      cpuSeconds: cpuSeconds(process.cpuUsage(cpu)),
    };
  }
  const r = await runLoad(o.url, prepared.get(o.tag)!, o.batchSize, o.intervalMs, o.seconds);
  prepared.delete(o.tag);
  return { kind: 'ran', tag: o.tag, ...r, cpuSeconds: cpuSeconds(process.cpuUsage(cpu)) };
}

process.on('message', (o: LoadOrder) => {
  handle(o).then(
    (reply) => process.send!(reply),
    (err: unknown) => process.send!({ kind: 'failed', message: String((err as Error)?.stack ?? err) } satisfies LoadReply),
  );
});
process.on('disconnect', () => process.exit(0));
