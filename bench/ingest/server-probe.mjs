/**
 * Preloaded into the bench's server process to see what the server's own thread does during a load:
 *
 *   BENCH_PROBE_OUT=/tmp/probe.jsonl BENCH_SERVER_NODE_ARGS="--import ./bench/ingest/server-probe.mjs" npx tsx bench/ingest/ingest.ts …
 *
 * Once a second it appends one JSON line to BENCH_PROBE_OUT: the time each POST took inside the
 * server (from its 'request' event to the end of its response: p50/p99/max ms), the event-loop delay
 * (p50/p99/max ms) and the garbage-collection pauses (count, total and longest ms). Laid beside the
 * acks the load generator saw, it tells the server's share of the tail from the rest. Measurement only.
 */
import { monitorEventLoopDelay, PerformanceObserver, createHistogram, performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import { appendFileSync } from 'node:fs';
import http from 'node:http';

const out = process.env.BENCH_PROBE_OUT;
if (out && isMainThread) {
  const served = createHistogram();
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, req, res) {
    if (event === 'request' && req.method === 'POST') {
      const t0 = performance.now();
      res.once('finish', () => served.record(Math.max(1, Math.round((performance.now() - t0) * 1000))));
    }
    return emit.apply(this, arguments);
  };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    const ms = (ns) => ns / 1e6;
    const row = {
      t: new Date().toISOString(),
      servedN: served.count,
      servedP50: served.count ? served.percentile(50) / 1000 : 0,
      servedP99: served.count ? served.percentile(99) / 1000 : 0,
      servedMax: served.count ? served.max / 1000 : 0,
      eldP50: ms(delay.percentile(50)),
      eldP99: ms(delay.percentile(99)),
      eldMax: ms(delay.max),
      gcCount: gc.count,
      gcTotalMs: gc.totalMs,
      gcMaxMs: gc.maxMs,
    };
    appendFileSync(out, JSON.stringify(row) + '\n');
    delay.reset();
    served.reset();
    gc = { count: 0, totalMs: 0, maxMs: 0 };
  }, 1000).unref();
}
