import { useEffect, useState } from 'react';

/** "12:05" (or "1:02:05") for a number of seconds. */
export function clockOf(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** What the live region says as the deadline nears: only at 5 minutes and 1 minute left, and at the end. */
export function announcementAt(secondsLeft: number): string {
  if (secondsLeft <= 0) return 'Time is up.';
  if (secondsLeft <= 60) return '1 minute left.';
  if (secondsLeft <= 300) return '5 minutes left.';
  return '';
}

/**
 * The time left to a deadline: a visible clock ticking each second (role timer: not read out), and a
 * polite live region that speaks only when the announcement changes (5 minutes, 1 minute, time up).
 */
export function Countdown({ deadline, onExpired }: { deadline: string; onExpired?: () => void }) {
  const end = Date.parse(deadline);
  const [now, setNow] = useState(() => Date.now());
  const left = (end - now) / 1000;
  useEffect(() => {
    if (left <= 0) {
      onExpired?.();
      return;
    }
    const t = setTimeout(() => setNow(Date.now()), 1000 - (Date.now() % 1000) || 1000);
    return () => clearTimeout(t);
  }, [now]);
  return (
    <div className="exam-countdown">
      <p>
        Time left:{' '}
        <span role="timer" aria-label="Time left" className="exam-clock">
          {clockOf(left)}
        </span>
      </p>
      <p role="status" aria-live="polite" className="sr-only" data-testid="countdown-announcement">
        {announcementAt(left)}
      </p>
    </div>
  );
}
