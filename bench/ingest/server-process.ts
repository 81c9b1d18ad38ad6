import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/**
 * The checkout whose server is measured: this one, or BENCH_SERVER_ROOT (another checkout with its
 * own node_modules, e.g. the code before a change, measured by the same bench in the same session).
 */
const ROOT = process.env.BENCH_SERVER_ROOT ? resolve(process.env.BENCH_SERVER_ROOT) : fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'apps/cli/bin/veritas.mjs');

/**
 * The nice level of every process the bench starts (server, load generator, COPY baseline): -15 by
 * default (BENCH_NICE), so other work on a shared machine (test runs at nice 10) does not distort
 * them. Needs root (or CAP_SYS_NICE) below 0; BENCH_NICE=0 runs them at the default.
 */
export const BENCH_NICE = Number(process.env.BENCH_NICE ?? '-15');

/**
 * A command, run at the bench's nice level and pinned to the given CPUs (a `taskset -c` list) when
 * there are some. With the kernel's autogroup scheduling on (sched_autogroup_enabled, as on this VM),
 * nice only orders processes within one session's group: other engineers' work in other sessions
 * still gets an equal share per session. So the command gets a session of its own (`setsid`) whose
 * group is given the same nice level before the command starts. setsid (not a group leader here),
 * sh's exec, nice and taskset all run in place: the pid is the command's.
 */
export function pinned(cpus: string | undefined, command: string, args: string[]): [string, string[]] {
  const [cmd, rest] = cpus ? ['taskset', ['-c', cpus, command, ...args]] : [command, args];
  if (BENCH_NICE === 0) return [cmd, rest];
  const script = `[ -w /proc/self/autogroup ] && echo ${BENCH_NICE} > /proc/self/autogroup; exec nice -n ${BENCH_NICE} "$@"`;
  return ['setsid', ['sh', '-c', script, 'bench', cmd, ...rest]];
}

/** `veritas serve` in its own process, as in production; `cpus` pins it (BENCH_SERVER_CPUS). */
export function startServerProcess(env: NodeJS.ProcessEnv, cpus?: string): Promise<{ proc: ChildProcess; url: string; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") applies to the server process only.
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const [cmd, args] = pinned(cpus, process.execPath, [...nodeArgs, CLI, 'serve', '--port', '0']);
    const proc = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', VERITAS_RATE_ANON_PER_MIN: '1000000', VERITAS_RATE_INGEST_PER_MIN: '1000000', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Veritas listening on (http:\/\/\S+)/.exec(out);
      if (m)
        resolve({
          proc,
          url: m[1]!,
          stop: () =>
            new Promise<void>((r) => {
              if (proc.exitCode !== null) return r();
              proc.once('exit', () => r());
              proc.kill('SIGTERM');
            }),
        });
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
}
