/**
 * bench/auth/sign-in — How long does a sign-in take, and how much of it is the password hash?
 *
 *   npx tsx bench/auth/sign-in.ts [--storage pglite|postgres] [--runs 3] [--n 40]
 *
 * Per run: a fresh `veritas serve --demo` (its own process, Demo School's four people), then `--n`
 * sequential sign-ins and `--n` sign-ins from 4 concurrent clients (POST /v1/auth/login, the demo
 * password, always succeeding: the throttle counts failures only). Baseline in the same run: one
 * argon2 verification with the same ARGON2_PARAMS in this process, `--n` times, before and after.
 */
import { parseArgs } from 'node:util';
import { hash, verify } from '@node-rs/argon2';
import { ARGON2_PARAMS, DEMO_PASSWORD, DEMO_PEOPLE } from '../../apps/server/src/modules/auth';
import { Machine, fmt, median, mr, percentile, signIn, startDemoServer, type Storage } from './common';

const { values } = parseArgs({
  options: { storage: { type: 'string', default: 'pglite' }, runs: { type: 'string', default: '3' }, n: { type: 'string', default: '40' } },
});
const storage = values.storage as Storage;
const runs = Number(values.runs);
const n = Number(values.n);

interface Row {
  run: number;
  mode: string;
  p50: number;
  p99: number;
  perSecond: number;
  serverCpuMs: number;
  load1: number;
  cores: { server: number; bench: number; other: number; idle: number };
}

/** Wall ms of each verification, and the CPU ms they used in all (argon2 runs on another thread of this process). */
async function hashBaseline(stored: string, times: number): Promise<{ ms: number[]; cpuMs: number }> {
  const ms: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    if (!(await verify(stored, DEMO_PASSWORD))) throw new Error('the baseline hash did not verify');
    ms.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function signIns(url: string, pid: number, clients: number, total: number, run: number): Promise<Row> {
  const ms: number[] = [];
  const machine = new Machine(pid);
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        // Distinct accounts in turn; every one succeeds.
        const person = DEMO_PEOPLE[next++ % DEMO_PEOPLE.length]!;
        const t = performance.now();
        await signIn(url, person.email, DEMO_PASSWORD);
        ms.push(performance.now() - t);
      }
    }),
  );
  const m = machine.close();
  return {
    run,
    mode: clients === 1 ? 'sequential' : `${clients} concurrent clients`,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    perSecond: total / m.wallS,
    serverCpuMs: (m.serverCpuS / total) * 1000,
    load1: machine.load1,
    cores: m.cores,
  };
}

const rows: Row[] = [];
const baselines: { run: number; p50: number; p99: number; cpuMs: number }[] = [];
const stored = await hash(DEMO_PASSWORD, ARGON2_PARAMS);
for (let run = 1; run <= runs; run++) {
  const server = await startDemoServer(storage);
  try {
    // Warm-up: the first sign-in of each person loads keys and code paths.
    for (const p of DEMO_PEOPLE) await signIn(server.url, p.email, DEMO_PASSWORD);
    const before = await hashBaseline(stored, Math.ceil(n / 2));
    const seq = await signIns(server.url, server.proc.pid!, 1, n, run);
    const conc = await signIns(server.url, server.proc.pid!, 4, n, run);
    const after = await hashBaseline(stored, Math.ceil(n / 2));
    const base = [...before.ms, ...after.ms];
    rows.push(seq, conc);
    baselines.push({ run, p50: percentile(base, 50), p99: percentile(base, 99), cpuMs: (before.cpuMs + after.cpuMs) / base.length });
    process.stderr.write(
      `[${storage} #${run}] ${new Date().toISOString()} load ${seq.load1.toFixed(2)}: sequential p50 ${fmt(seq.p50, 1)} ms, 4 clients p50 ${fmt(conc.p50, 1)} ms, hash p50 ${fmt(baselines.at(-1)!.p50, 1)} ms\n`,
    );
  } finally {
    await server.stop();
  }
}

const { algorithm, ...params } = ARGON2_PARAMS;
console.log(
  `\nsign-in: ${storage}, ${runs} run(s), ${n} sign-ins per mode, node ${process.version}; ARGON2_PARAMS: argon2id (algorithm ${algorithm}), ` +
    `memoryCost ${params.memoryCost} KiB, timeCost ${params.timeCost}, parallelism ${params.parallelism}\n`,
);
console.log("median (min–max) over runs; the ratio is computed within each run against that run's hash p50");
console.log('');
console.log(
  '| storage | mode | runs | load avg | p50 ms | p99 ms | sign-ins/s | server CPU ms per sign-in | hash p50 ms (bench process) | hash CPU ms (bench process) | sign-in p50 ÷ hash p50 | hash CPU ÷ server CPU per sign-in | cores: server / bench / other / idle |',
);
console.log('| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const mode of ['sequential', '4 concurrent clients']) {
  const g = rows.filter((r) => r.mode === mode);
  const c = (k: keyof Row['cores']) => fmt(median(g.map((r) => r.cores[k])), 2);
  console.log(
    `| ${storage} | ${mode} | ${g.length} | ${mr(
      g.map((r) => r.load1),
      1,
    )} | ${mr(
      g.map((r) => r.p50),
      1,
    )} | ${mr(
      g.map((r) => r.p99),
      1,
    )} | ${mr(
      g.map((r) => r.perSecond),
      1,
    )} | ${mr(
      g.map((r) => r.serverCpuMs),
      1,
    )} | ${mr(
      baselines.map((b) => b.p50),
      1,
    )} | ${mr(
      baselines.map((b) => b.cpuMs),
      1,
    )} | ${mr(
      g.map((r) => r.p50 / baselines.find((b) => b.run === r.run)!.p50),
      2,
      '×',
    )} | ${mr(
      g.map((r) => (baselines.find((b) => b.run === r.run)!.cpuMs / r.serverCpuMs) * 100),
      0,
      '%',
    )} | ${c('server')} / ${c('bench')} / ${c('other')} / ${c('idle')} |`,
  );
}
