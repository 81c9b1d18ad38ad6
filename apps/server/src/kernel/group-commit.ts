/**
 * Group commit: requests that arrive within a few milliseconds of each other are written in one
 * transaction, and each is answered only after the commit that holds it. While a group commits,
 * the next one gathers, so under load groups grow and throughput rises instead of latency.
 */
export interface GroupCommitOptions {
  /** How long the first item of a group waits for company. */
  maxWaitMs: number;
  /**
   * How long it waits instead while another group is committing (the longer of the two applies).
   * As PostgreSQL's commit_delay with commit_siblings: an idle committer adds no wait, a busy one
   * gathers larger groups (fewer commits for the same events; bench/ingest). Default 0.
   */
  busyWaitMs?: number;
  /** A group is flushed at once when its items weigh this much (events). */
  maxWeight: number;
  /** Groups committing at the same time (1 for PGlite, a few for a PostgreSQL pool). */
  concurrency: number;
  /**
   * Tells an error that may be one item's own fault (the database refused its input) from one that
   * fails everything (the database is down). On the first kind the group is split in halves and each
   * half committed again, until the items that cause it fail alone and the others are committed.
   * Without it, a failed commit fails its whole group.
   */
  isolate?: (err: unknown) => boolean;
}

interface Pending<I, R> {
  item: I;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export class GroupCommitter<I, R> {
  private pending: Pending<I, R>[] = [];
  private weight = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private closed = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: GroupCommitOptions,
    private readonly weigh: (item: I) => number,
    /** Commits a whole group; returns one result per item, in order. Throws to fail them all (see `isolate`). */
    private readonly commit: (items: I[]) => Promise<R[]>,
    private readonly onGroup?: (size: number, seconds: number) => void,
  ) {}

  submit(item: I): Promise<R> {
    if (this.closed) return Promise.reject(new Error('group committer is closed'));
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.weight += this.weigh(item);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.pending.length === 0 || this.inFlight >= this.options.concurrency) return;
    const wait = this.inFlight > 0 ? Math.max(this.options.maxWaitMs, this.options.busyWaitMs ?? 0) : this.options.maxWaitMs;
    if (this.weight >= this.options.maxWeight || wait === 0) {
      this.flush();
    } else if (!this.timer) {
      // Cut short when the last commit in flight ends: what gathered then goes at once (flush's caller).
      this.timer = setTimeout(() => this.flush(), wait);
    }
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0 || this.inFlight >= this.options.concurrency) return;
    const group = this.pending;
    this.pending = [];
    this.weight = 0;
    this.inFlight++;
    const started = performance.now();
    this.commitIsolating(group).finally(() => {
      this.onGroup?.(group.length, (performance.now() - started) / 1000);
      this.inFlight--;
      // What gathered during the commit goes at once: it has waited long enough.
      if (this.pending.length > 0) this.flush();
      else if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((w) => w());
    });
  }

  /**
   * Commits the group and answers each item. Bisection costs nothing while commits succeed (the
   * common path is one transaction per group, as before); one refused item in a group of n costs
   * about 2·log2(n) extra commits, and the halves go in arrival order so a session's earlier batch
   * is still committed before its later one.
   */
  private async commitIsolating(group: Pending<I, R>[]): Promise<void> {
    let results: R[];
    try {
      results = await this.commit(group.map((p) => p.item));
    } catch (err) {
      if (group.length === 1 || !this.options.isolate?.(err)) {
        group.forEach((p) => p.reject(err));
        return;
      }
      const half = Math.ceil(group.length / 2);
      await this.commitIsolating(group.slice(0, half));
      await this.commitIsolating(group.slice(half));
      return;
    }
    group.forEach((p, i) => p.resolve(results[i] as R));
  }

  /** Stops taking items and waits for what was taken to be committed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending.length > 0) this.flush();
    if (this.inFlight === 0 && this.pending.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}
