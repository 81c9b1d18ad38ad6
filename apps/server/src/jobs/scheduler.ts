import type { JobLogger } from '../platform/queue/embedded-job-queue';

/** A task run at start and then every `everyMs`, one run at a time. */
export interface ScheduledTask {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

export interface Scheduler {
  /** Stops the timers and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs sweeps on a schedule rather than once at boot: a task runs at start, then every `everyMs`
 * after its previous run ended (never two runs of one task at once). A failed run is logged and
 * tried again next time. Timers are unref'd: a schedule never keeps a process alive.
 */
export function startScheduler(tasks: readonly ScheduledTask[], log: JobLogger): Scheduler {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();

  const runTask = (task: ScheduledTask): void => {
    if (stopped) return;
    const run = task
      .run()
      .then(
        () => undefined,
        (err: unknown) => log.warn({ err, task: task.name }, 'a scheduled task failed; it runs again at its next time'),
      )
      .finally(() => {
        running.delete(run);
        if (stopped) return;
        const timer = setTimeout(() => {
          timers.delete(timer);
          runTask(task);
        }, task.everyMs);
        timer.unref();
        timers.add(timer);
      });
    running.add(run);
  };

  for (const task of tasks) runTask(task);
  return {
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([...running]);
    },
  };
}
