/**
 * bench/auth/token-overhead — What does checking an access token add to a request, against the
 * request time of the events route, in the same run?
 *
 *   npx tsx bench/auth/token-overhead.ts [--storage pglite|postgres] [--runs 3] [--rounds 20] [--per 50]
 *
 * Per run, a fresh `veritas serve --demo` (its own process). Four variants, interleaved in rounds
 * (each round runs every variant once, in a rotating order, so the machine's noise meets them alike),
 * one request at a time on a keep-alive connection:
 *   - none:   GET /health without Authorization (an unauthenticated route: the baseline);
 *   - cached: GET /health with one valid access token, the same every time (the verified-token cache);
 *   - fresh:  GET /health with a different valid access token every time (made beforehand by
 *             chaining refreshes), so every request pays the Ed25519 verification;
 *   - events: POST /v1/sessions/:id/events, a sealed batch of 50 events with the write token (the events route).
 * Overhead = p50(with) − p50(none); its share is overhead ÷ p50(events). Target: < 5%.
 */
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD } from '../../apps/server/src/modules/auth';
import { prepareClients } from '../ingest/load';
import { processCpuSeconds } from '../ingest/cpu';
import { Machine, fmt, json, median, mr, percentile, request, signIn, startDemoServer, type SignedIn, type Storage } from './common';

const { values } = parseArgs({
  options: {
    storage: { type: 'string', default: 'pglite' },
    runs: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '20' },
    per: { type: 'string', default: '50' },
    'events-per': { type: 'string', default: '10' },
  },
});
const storage = values.storage as Storage;
const runs = Number(values.runs);
const rounds = Number(values.rounds);
const per = Number(values.per);
const eventsPer = Number(values['events-per']);

type Variant = 'none' | 'cached' | 'fresh' | 'events';
const VARIANTS: Variant[] = ['none', 'cached', 'fresh', 'events'];

interface RunResult {
  run: number;
  load1: number;
  cores: { server: number; bench: number; other: number; idle: number };
  p50: Record<Variant, number>;
  p99: Record<Variant, number>;
  mean: Record<Variant, number>;
  /** Server CPU µs per request (summed over the variant's blocks; /proc ticks are 10 ms, so this is coarse). */
  cpuUs: Record<Variant, number>;
}

async function freshTokens(url: string, first: SignedIn, n: number): Promise<string[]> {
  const tokens: string[] = [];
  let refreshToken = first.refreshToken;
  for (let i = 0; i < n; i++) {
    const r = await json<SignedIn>(`${url}/v1/auth/refresh`, 'POST', { refreshToken });
    tokens.push(r.accessToken);
    refreshToken = r.refreshToken;
  }
  return tokens;
}

async function oneRun(run: number): Promise<RunResult> {
  const server = await startDemoServer(storage);
  try {
    const pid = server.proc.pid!;
    const teacher = await signIn(server.url, 'teacher@demo.veritas.test', DEMO_PASSWORD);
    const fresh = await freshTokens(server.url, teacher, rounds * per);
    const [writer] = await prepareClients(server.url, 1, rounds * eventsPer + 20, 50);
    const health = `${server.url}/health`;
    const eventsUrl = `${server.url}/v1/sessions/${writer!.id}/events`;
    let nextFresh = 0;
    let nextBatch = 0;
    const one: Record<Variant, () => Promise<{ status: number }>> = {
      none: () => request(health, 'GET', undefined),
      cached: () => request(health, 'GET', undefined, { authorization: `Bearer ${teacher.accessToken}` }),
      fresh: () => request(health, 'GET', undefined, { authorization: `Bearer ${fresh[nextFresh++]!}` }),
      events: () => request(eventsUrl, 'POST', writer!.bodies[nextBatch++], { authorization: `Bearer ${writer!.token}` }),
    };
    // Warm-up: code paths, the token cache for `cached`, the session's credential cache.
    for (let i = 0; i < 200; i++) await one.none();
    for (let i = 0; i < 200; i++) await one.cached();
    for (let i = 0; i < 20; i++) await one.events();
    const ms: Record<Variant, number[]> = { none: [], cached: [], fresh: [], events: [] };
    const cpu: Record<Variant, number> = { none: 0, cached: 0, fresh: 0, events: 0 };
    const machine = new Machine(pid);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(r + k) % VARIANTS.length]!;
        const count = v === 'events' ? eventsPer : per;
        const c0 = processCpuSeconds(pid);
        for (let i = 0; i < count; i++) {
          const t = performance.now();
          const res = await one[v]();
          ms[v].push(performance.now() - t);
          if (res.status !== 200) throw new Error(`${v}: status ${res.status}`);
        }
        cpu[v] += processCpuSeconds(pid) - c0;
      }
    }
    const m = machine.close();
    const by = (f: (xs: number[]) => number) => Object.fromEntries(VARIANTS.map((v) => [v, f(ms[v])])) as Record<Variant, number>;
    const result: RunResult = {
      run,
      load1: machine.load1,
      cores: m.cores,
      p50: by((xs) => percentile(xs, 50)),
      p99: by((xs) => percentile(xs, 99)),
      mean: by((xs) => xs.reduce((a, b) => a + b, 0) / xs.length),
      cpuUs: Object.fromEntries(VARIANTS.map((v) => [v, (cpu[v] / ms[v].length) * 1e6])) as Record<Variant, number>,
    };
    process.stderr.write(
      `[${storage} #${run}] ${new Date().toISOString()} load ${result.load1.toFixed(2)}: p50 none ${fmt(result.p50.none, 3)} cached ${fmt(result.p50.cached, 3)} fresh ${fmt(
        result.p50.fresh,
        3,
      )} events ${fmt(result.p50.events, 3)} ms\n`,
    );
    return result;
  } finally {
    await server.stop();
  }
}

const results: RunResult[] = [];
for (let run = 1; run <= runs; run++) results.push(await oneRun(run));

console.log(
  `\ntoken overhead: ${storage}, ${runs} run(s) × ${rounds} interleaved rounds; ${per} GET /health per variant per round, ${eventsPer} batches of 50 events per round; node ${process.version}\n`,
);
console.log('median (min–max) over runs; overheads and shares are computed within each run');
console.log('');
console.log(
  '| variant | p50 ms | p99 ms | mean ms | server CPU µs/request | overhead p50 vs none, µs | overhead ÷ events p50 | overhead mean vs none, µs | overhead (mean) ÷ events mean |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const v of VARIANTS) {
  const col = (k: 'p50' | 'p99' | 'mean') =>
    mr(
      results.map((r) => r[k][v]),
      3,
    );
  const over = v === 'cached' || v === 'fresh';
  console.log(
    `| ${v} | ${col('p50')} | ${col('p99')} | ${col('mean')} | ${mr(results.map((r) => r.cpuUs[v]))} | ${
      over ? mr(results.map((r) => (r.p50[v] - r.p50.none) * 1000)) : ''
    } | ${
      over
        ? mr(
            results.map((r) => ((r.p50[v] - r.p50.none) / r.p50.events) * 100),
            2,
            '%',
          )
        : ''
    } | ${over ? mr(results.map((r) => (r.mean[v] - r.mean.none) * 1000)) : ''} | ${
      over
        ? mr(
            results.map((r) => ((r.mean[v] - r.mean.none) / r.mean.events) * 100),
            2,
            '%',
          )
        : ''
    } |`,
  );
}
const c = (k: keyof RunResult['cores']) => fmt(median(results.map((r) => r.cores[k])), 2);
console.log(
  `\nload average ${mr(
    results.map((r) => r.load1),
    1,
  )}; cores during the rounds (median): server ${c('server')}, bench ${c('bench')}, other work ${c('other')}, idle ${c('idle')}`,
);
