import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinned } from './server-process';
import type { LoadOrder, LoadReply } from './load-process';

const SCRIPT = fileURLToPath(new URL('./load-process.ts', import.meta.url));

/** The load generator process (`cpus` pins it: BENCH_LOAD_CPUS), driven one order at a time. */
export class LoadProcess {
  private readonly proc: ChildProcess;
  private waiting: ((r: LoadReply) => void) | null = null;

  constructor(cpus?: string) {
    const [cmd, args] = pinned(cpus, process.execPath, ['--import', 'tsx', SCRIPT]);
    this.proc = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (r: LoadReply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(r);
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  order<K extends LoadReply['kind']>(o: LoadOrder, expect: K): Promise<Extract<LoadReply, { kind: K }>> {
    return new Promise((resolve, reject) => {
      this.waiting = (r) =>
        r.kind === expect ? resolve(r as Extract<LoadReply, { kind: K }>) : reject(new Error(r.kind === 'failed' ? r.message : `unexpected ${r.kind}`));
      this.proc.send(o);
    });
  }

  stop(): void {
    if (this.proc.connected) this.proc.disconnect();
  }
}
