import { spawn, type ChildProcess } from 'node:child_process';
import { pinned } from '../ingest/server-process';

/**
 * A TypeScript script of the bench in a process of its own, at the bench's nice level in a session
 * (autogroup) of its own (bench/ingest's `pinned`), driven over the IPC channel one order at a time;
 * its side is `serveOrders`. Used by bench/webhooks and bench/soak.
 */
export class Child<Order, Reply extends { kind: string }> {
  readonly proc: ChildProcess;
  private waiting: ((r: Reply) => void) | null = null;
  private readonly early: Reply[] = [];

  constructor(script: string) {
    const [cmd, args] = pinned(undefined, process.execPath, ['--import', 'tsx', script]);
    this.proc = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (r: Reply) => {
      const w = this.waiting;
      this.waiting = null;
      if (w) w(r);
      else this.early.push(r);
    });
    // A child that dies fails the order it was given instead of leaving it waiting.
    this.proc.on('exit', (code) => this.waiting?.({ kind: 'failed', message: `${script} exited (${code})` } as unknown as Reply));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** The next reply of this kind (one the child sent unasked, e.g. `listening`, or the answer to `order`). */
  next<K extends Reply['kind']>(expect: K, order?: Order): Promise<Extract<Reply, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const take = (r: Reply) =>
        r.kind === expect
          ? resolve(r as Extract<Reply, { kind: K }>)
          : reject(new Error(r.kind === 'failed' ? String((r as { message?: unknown }).message) : `unexpected ${r.kind}`));
      const early = order === undefined ? this.early.shift() : undefined;
      if (early) return take(early);
      this.waiting = take;
      if (order !== undefined) this.proc.send(order as object);
    });
  }

  /** Sends `order` and waits for its answer of kind `expect`. */
  ask<K extends Reply['kind']>(order: Order, expect: K): Promise<Extract<Reply, { kind: K }>> {
    return this.next(expect, order);
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
