import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../kernel/events';
import { tenantScope } from '../../kernel/scope';
import type { ReviewService } from './review.service';
import { ALERT_COLLECTS_AT_ONCE, subscribeReview } from './review.subscriptions';

describe('review subscriptions', () => {
  it('consolidate a burst of live alerts a few at a time, every one of them in the end', async () => {
    const events = createEventBus();
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const gates: (() => void)[] = [];
    // Only collect is called by the subscriptions; each waits until the test lets it finish.
    const review = {
      async collect(_scope: unknown, sessionId: string) {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => gates.push(r));
        running--;
        done.push(sessionId);
        return 1;
      },
    } as unknown as ReviewService;
    subscribeReview(events, review);
    const scope = tenantScope('t1');
    const told = Array.from({ length: 10 }, (_, i) => events.publish('alert.raised', { sessionId: `s${i}`, scope, alerts: [] }));
    // Open the gates as collects arrive, until all ten have run.
    while (done.length < 10) {
      await expect.poll(() => gates.length, { timeout: 10_000 }).toBeGreaterThan(0);
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(told);
    expect(most).toBe(ALERT_COLLECTS_AT_ONCE);
    expect(done.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`).sort());
  });
});
