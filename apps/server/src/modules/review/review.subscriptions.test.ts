import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../kernel/events';
import { tenantScope, type Scope } from '../../kernel/scope';
import type { ReviewService } from './review.service';
import { subscribeReview } from './review.subscriptions';

/** A review whose consolidations of alerts are recorded and wait until the test lets each finish. */
function gatedReview(fail: (ids: readonly string[]) => boolean = () => false) {
  const calls: { tenant: string | null; ids: string[] }[] = [];
  const gates: (() => void)[] = [];
  let running = 0;
  let most = 0;
  const review = {
    async collectAlerts(scope: Scope, ids: readonly string[]) {
      calls.push({ tenant: scope.tenantId, ids: [...ids] });
      running++;
      most = Math.max(most, running);
      await new Promise<void>((r) => gates.push(r));
      running--;
      if (fail(ids)) throw new Error('refused');
      return new Map(ids.map((id) => [id, 1]));
    },
  } as unknown as ReviewService;
  return {
    review,
    calls,
    most: () => most,
    /** Lets the consolidations through as they come until `done` holds. */
    async drain(done: () => boolean) {
      while (!done()) {
        await expect.poll(() => gates.length, { timeout: 10_000 }).toBeGreaterThan(0);
        gates.shift()!();
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

describe('review subscriptions', () => {
  it('consolidate the sessions whose alerts came during a consolidation together in the next, one at a time', async () => {
    const events = createEventBus();
    const r = gatedReview();
    subscribeReview(events, r.review);
    const scope = tenantScope('t1');
    const tell = (id: string) => events.publish('alert.raised', { sessionId: id, scope, alerts: [] });
    const first = tell('s0');
    await expect.poll(() => r.calls.length, { timeout: 10_000 }).toBe(1);
    // A burst while the first consolidation runs: every one of them goes in the next.
    const burst = Array.from({ length: 9 }, (_, i) => tell(`s${i + 1}`));
    let settled = 0;
    const all = Promise.all([first, ...burst].map((p) => p.then(() => settled++)));
    await r.drain(() => settled === 10);
    await all;
    expect(r.calls).toEqual([
      { tenant: 't1', ids: ['s0'] },
      { tenant: 't1', ids: Array.from({ length: 9 }, (_, i) => `s${i + 1}`) },
    ]);
    expect(r.most()).toBe(1);
  });

  it("consolidate each tenant's sessions with that tenant's scope", async () => {
    const events = createEventBus();
    const r = gatedReview();
    subscribeReview(events, r.review);
    const told = [
      events.publish('alert.raised', { sessionId: 'a1', scope: tenantScope('ta'), alerts: [] }),
      events.publish('alert.raised', { sessionId: 'b1', scope: tenantScope('tb'), alerts: [] }),
      events.publish('alert.raised', { sessionId: 'a2', scope: tenantScope('ta'), alerts: [] }),
    ];
    let settled = 0;
    const all = Promise.all(told.map((p) => p.then(() => settled++)));
    await r.drain(() => settled === 3);
    await all;
    expect(r.calls).toEqual([
      { tenant: 'ta', ids: ['a1', 'a2'] },
      { tenant: 'tb', ids: ['b1'] },
    ]);
  });

  it('a session whose consolidation fails fails alone: the others of its group are consolidated', async () => {
    const events = createEventBus();
    const r = gatedReview((ids) => ids.includes('bad'));
    subscribeReview(events, r.review);
    const scope = tenantScope('t1');
    const ids = ['s1', 'bad', 's2', 's3'];
    const outcomes = new Map<string, string>();
    const told = ids.map((id) =>
      events.publish('alert.raised', { sessionId: id, scope, alerts: [] }).then(
        () => void outcomes.set(id, 'ok'),
        () => void outcomes.set(id, 'failed'),
      ),
    );
    await r.drain(() => outcomes.size === ids.length);
    await Promise.all(told);
    expect(Object.fromEntries(outcomes)).toEqual({ s1: 'ok', bad: 'failed', s2: 'ok', s3: 'ok' });
    // The group was split until 'bad' stood alone; every good session was consolidated in the end.
    const good = r.calls.filter((c) => !c.ids.includes('bad')).flatMap((c) => c.ids);
    expect(good.sort()).toEqual(['s1', 's2', 's3']);
    expect(r.calls).toContainEqual({ tenant: 't1', ids: ['bad'] });
  });
});
