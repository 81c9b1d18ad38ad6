/**
 * `veritas serve` in a process of its own, for the tests that kill, stop or restart a real server
 * (Node only). Resolves once it prints the address it listens on; rejects if it exits before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { VeritasEvent } from '@veritas/schema';

const CLI = fileURLToPath(new URL('../../../cli/bin/veritas.mjs', import.meta.url));

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it) once the process is gone. */
  exited(): Promise<number | null>;
}

export function startServerProcess(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Veritas listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]!, output: () => out, exited: () => exit });
    });
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
}

/** `n` typed characters as text ops, one every 50 ms. */
export function writingEvents(n: number): VeritasEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: i,
    t: i * 50,
    type: 'text.op',
    data: { pos: i, del: 0, ins: String.fromCharCode(97 + (i % 26)), cause: 'type', trusted: true },
  }));
}
