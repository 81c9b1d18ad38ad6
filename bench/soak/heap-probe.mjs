/**
 * Preloaded into the soak's API and worker (`--expose-gc --import ./bench/soak/heap-probe.mjs`, set by
 * bench/soak/soak.ts): on SIGUSR2 it collects garbage and writes the heap then in use to
 * `$BENCH_HEAP_DIR/<pid>.json`. A heap read between collections is a sawtooth whose reading depends
 * on when it falls; after a full collection it is what the process still holds. Measurement only.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.BENCH_HEAP_DIR;
if (dir && isMainThread && typeof globalThis.gc === 'function') {
  process.on('SIGUSR2', () => {
    globalThis.gc();
    const file = `${dir}/${process.pid}.json`;
    // Written aside then renamed, so the bench never reads half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify({ heapUsed: process.memoryUsage().heapUsed, at: Date.now() }));
    renameSync(`${file}.tmp`, file);
  });
}
