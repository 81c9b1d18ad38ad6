/**
 * A process of the soak's own (writers, webhook receiver), spawned with tsx and driven over
 * its IPC channel one order at a time: each order is answered by one reply, or `failed`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pinned } from '../ingest/server-process';

export class Child<Order, Reply extends { kind: string }> {
  private readonly proc: ChildProcess;
  private pending: ((r: Reply | { kind: 'failed'; message: string }) => void) | null = null;

  constructor(script: string) {
    // At the bench's nice level in a session of its own, as bench/ingest's load generator (BENCH_NICE).
    const [cmd, args] = pinned(undefined, process.execPath, ['--import', 'tsx', script]);
    this.proc = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (r: Reply) => {
      const p = this.pending;
      this.pending = null;
      p?.(r);
    });
    this.proc.on('exit', (code) => this.pending?.({ kind: 'failed', message: `${script} exited (${code})` }));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  ask<K extends Reply['kind']>(order: Order, expect: K): Promise<Extract<Reply, { kind: K }>> {
    if (this.pending) return Promise.reject(new Error('one order at a time'));
    return new Promise((resolve, reject) => {
      this.pending = (r) =>
        r.kind === expect
          ? resolve(r as Extract<Reply, { kind: K }>)
          : reject(new Error(r.kind === 'failed' ? (r as { message: string }).message : `expected ${expect}, got ${r.kind}`));
      this.proc.send(order as object);
    });
  }

  stop(): void {
    if (this.proc.connected) this.proc.disconnect();
  }
}

/** The child's side: answers each order with what `handle` returns, or `failed` with the error. */
export function serveOrders<Order, Reply>(handle: (o: Order) => Promise<Reply>): void {
  process.on('message', (o: Order) => {
    handle(o).then(
      (r) => process.send!(r),
      (err: unknown) => process.send!({ kind: 'failed', message: String((err as Error)?.stack ?? err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
