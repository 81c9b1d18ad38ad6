import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../apps/cli/bin/veritas.mjs', import.meta.url));

/** A command, run pinned to the given CPUs (a `taskset -c` list) when there are some. */
export function pinned(cpus: string | undefined, command: string, args: string[]): [string, string[]] {
  return cpus ? ['taskset', ['-c', cpus, command, ...args]] : [command, args];
}

/** `veritas serve` in its own process, as in production; `cpus` pins it (BENCH_SERVER_CPUS). */
export function startServerProcess(env: NodeJS.ProcessEnv, cpus?: string): Promise<{ proc: ChildProcess; url: string; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") applies to the server process only.
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const [cmd, args] = pinned(cpus, process.execPath, [...nodeArgs, CLI, 'serve', '--port', '0']);
    const proc = spawn(cmd, args, {
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
