/** Session time: ms since t = 0, from the monotonic performance clock, never going back (also across a reload). */
export class SessionClock {
  private perfBase = 0;
  private tBase = 0;
  last = 0;

  /** t = 0 now, or continue a session that started at `startedAtMs` (Date.now()) and last recorded `lastT`. */
  begin(startedAtMs?: number, lastT = 0): void {
    this.perfBase = performance.now();
    this.last = lastT;
    this.tBase = startedAtMs === undefined ? 0 : Math.max(lastT, Date.now() - startedAtMs);
  }

  /** The session time of a performance timestamp (an event's timeStamp), or of now. */
  at(perfTs?: number): number {
    const t = Math.round((this.tBase + (perfTs ?? performance.now()) - this.perfBase) * 10) / 10;
    if (t > this.last) this.last = t;
    return this.last;
  }
}

/** Full-jitter exponential backoff, at least what the server asked for (Retry-After). */
export function backoffMs(attempt: number, retryAfterMs?: number): number {
  const cap = Math.min(30_000, 500 * 2 ** Math.min(attempt, 10));
  const jittered = cap / 2 + Math.random() * (cap / 2);
  return Math.max(retryAfterMs ?? 0, jittered);
}

export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
