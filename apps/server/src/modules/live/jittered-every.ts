/**
 * Runs `tick` every `ms`, the first at a random point of the second half of the first period, and
 * returns what stops it. Timers started together (an exam's 2,000 streams opened within seconds, its
 * 70 teachers' rooms opened at the start) would otherwise all fire in the same instant, each period,
 * thousands of queries at once in front of ingest's. Never sooner than half a period: work timed by
 * it stays that far from its start (the Redis outage test relies on it for a feed's heartbeat read).
 */
export function jitteredEvery(ms: number, tick: () => void): () => void {
  let interval: NodeJS.Timeout | undefined;
  let stopped = false;
  const first = setTimeout(
    () => {
      if (stopped) return;
      tick();
      interval = setInterval(tick, ms);
    },
    ms / 2 + (Math.random() * ms) / 2,
  );
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(interval);
  };
}
