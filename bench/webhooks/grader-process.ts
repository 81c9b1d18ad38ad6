/**
 * The event source of bench/webhooks, in a process of its own: partners' grades
 * (`PUT /v1/attempts/{id}/score` with an API key holding `attempts:grade`; each answered 200 is one
 * `attempt.graded` domain event) offered open-loop at `rate`/s, going round the seeded attempts so
 * consecutive grades are of different attempts, exams and students. At most `maxInflight` grades are
 * unanswered at once: a grade due past that bound is not sent and is counted as `skipped` (the
 * generator must not open sockets without end when the server falls behind).
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serveOrders } from '../shared/child';

export interface Target {
  attemptId: string;
  key: string;
}
export type GraderOrder = { kind: 'run'; url: string; targets: Target[]; from: number; rate: number; seconds: number; maxInflight: number };
export type GraderReply =
  | {
      kind: 'ran';
      /** Where the next phase starts in `targets`. */
      next: number;
      sent: number;
      ok: number;
      failed: number;
      skipped: number;
      statuses: Record<string, number>;
      /** Grades answered 200 within the phase, per second (the events made per second). */
      okPerS: number;
      /** Answer time of the grades answered 200, ms. */
      p50: number;
      p99: number;
      loopDelayP99: number;
      cpuSeconds: number;
    }
  | { kind: 'failed'; message: string };

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function run(o: Extract<GraderOrder, { kind: 'run' }>): Promise<GraderReply> {
  const cpu = process.cpuUsage();
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxInflight });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let [sent, ok, okInWindow, failed, skipped, inflight, i] = [0, 0, 0, 0, 0, 0, o.from];
  const started = performance.now();
  const until = started + o.seconds * 1000;
  const inFlight = new Set<Promise<void>>();
  const grade = (t: Target, score: number) =>
    new Promise<void>((resolve) => {
      const sentAt = performance.now();
      const body = JSON.stringify({ score });
      const req = http.request(
        `${o.url}/v1/attempts/${t.attemptId}/score`,
        { method: 'PUT', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${t.key}` } },
        (res) => {
          res.resume();
          res.on('end', () => {
            const s = String(res.statusCode ?? 0);
            statuses[s] = (statuses[s] ?? 0) + 1;
            if (res.statusCode === 200) {
              ok++;
              const done = performance.now();
              if (done <= until) okInWindow++;
              latencies.push(done - sentAt);
            } else failed++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        statuses.error = (statuses.error ?? 0) + 1;
        failed++;
        resolve();
      });
      req.end(body);
    });

  while (performance.now() < until) {
    const due = Math.floor(((performance.now() - started) / 1000) * o.rate);
    while (sent + skipped < due) {
      if (inflight >= o.maxInflight) {
        skipped++;
        continue;
      }
      const t = o.targets[i % o.targets.length]!;
      i++;
      sent++;
      inflight++;
      const p = grade(t, i % 101).then(() => {
        inflight--;
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inFlight);
  loop.disable();
  agent.destroy();
  const used = process.cpuUsage(cpu);
  return {
    kind: 'ran',
    next: i,
    sent,
    ok,
    failed,
    skipped,
    statuses,
    okPerS: okInWindow / o.seconds,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    loopDelayP99: loop.percentile(99) / 1e6,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}

serveOrders<GraderOrder, GraderReply>(run);
