import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../apps/cli/bin/veritas.mjs', import.meta.url));

/** `veritas serve` in its own process (its own core), as in production. */
export function startServerProcess(env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; url: string; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") applies to the server process only.
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const proc = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--port', '0'], {
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
              proc.once('exit', () => r());
              proc.kill('SIGTERM');
            }),
        });
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
}
