import type { VeritasEvent } from '@veritas/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantScope } from '../../kernel/scope';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, type Institution } from '../../testing/institution';
import { range, send, studentSession } from '../../testing/live';
import type { HubMessage } from '../../platform/hub/live-hub';
import { sessionChannel } from './live.subscriptions';
import { mergeHeard, SessionFeeds, type FeedMember, type FeedPage } from './session-feed';

/** A viewer as the feed sees it, taking pages as a live stream does and counting them. */
class CountingViewer implements FeedMember {
  pages = 0;
  catchUps = 0;
  readonly seqs: number[] = [];
  constructor(public lastSent: number) {}
  offer(page: FeedPage): void {
    if (this.lastSent < page.after) return void this.catchUps++;
    const fresh = page.seqs.filter((s) => s > this.lastSent);
    if (fresh.length === 0) return;
    this.pages++;
    this.seqs.push(...fresh);
    this.lastSent = fresh[fresh.length - 1]!;
  }
  offerEnd(): void {}
  catchUp(): void {
    this.catchUps++;
  }
  heartbeat(): void {}
  recheck(): void {}
}

const custom = (seq: number) => ({ seq, t: seq * 10, type: 'custom', data: { name: 'n', data: seq } }) as VeritasEvent;
/** A commit's nudge as ingest tells it: its highest seq and its events. */
const nudge = (from: number, count: number) => ({ seq: from + count - 1, events: range(from, from + count - 1).map(custom) });
/** The nudge as the hub carries it (JSON). */
const told = (from: number, count: number) => nudge(from, count) as unknown as HubMessage;

describe(`a session's feed (${TEST_DB})`, () => {
  let t: TestApp;
  let school: Institution;
  beforeAll(async () => {
    t = await createTestApp();
    school = await buildInstitution(t.app);
  });
  afterAll(async () => t?.close());

  /** A session with its first batch (seqs 0–4) stored, watched by `viewers` viewers through a feed of its own. */
  async function watched(viewers: number) {
    const s = await studentSession(t.app, school.student);
    await send(t.app, s, 0);
    const feeds = new SessionFeeds({ sessions: t.app.services.sessions, hub: t.app.services.hub, heartbeatMs: 600_000, recheckMs: 600_000 });
    const members = Array.from({ length: viewers }, () => new CountingViewer(4));
    const leaves = await Promise.all(members.map(async (m) => (await feeds.join(tenantScope(school.tenant.id), s.id, m)).leave));
    return { s, members, leave: () => leaves.forEach((l) => l()) };
  }

  it('offers the commits heard during a fan-out as one page: one offer per viewer for all of them, every seq once', async () => {
    // More viewers than one slice: the first fan-out yields to the event loop, and the other 29 commits arrive meanwhile.
    const { s, members, leave } = await watched(1200);
    try {
      for (let k = 0; k < 30; k++) void t.app.services.hub.publish(sessionChannel(s.id), told(5 + 5 * k, 5));
      await expect.poll(() => members.every((m) => m.lastSent === 154), { timeout: 30_000 }).toBe(true);
      for (const m of members) {
        expect(m.seqs).toEqual(range(5, 154));
        expect(m.pages).toBe(2);
        expect(m.catchUps).toBe(0);
      }
    } finally {
      leave();
    }
  });

  it('offers merged commits up to a missing one, and reads the rest from the database', async () => {
    const { s, members, leave } = await watched(1200);
    try {
      // 5–9 and 10–14 follow; 20–24 comes after a commit never heard (15–19), and the database holds nothing after 4.
      void t.app.services.hub.publish(sessionChannel(s.id), told(5, 5));
      void t.app.services.hub.publish(sessionChannel(s.id), told(10, 5));
      void t.app.services.hub.publish(sessionChannel(s.id), told(20, 5));
      void t.app.services.hub.publish(sessionChannel(s.id), told(10, 5));
      // Offered with 10–14 in one page, 20–24 would have moved every viewer past 14.
      await expect.poll(() => members.every((m) => m.lastSent === 14), { timeout: 30_000 }).toBe(true);
      for (const m of members) expect(m.seqs).toEqual(range(5, 14));
    } finally {
      leave();
    }
  });

  it('merges heard pages in seq order, each seq once', () => {
    expect(mergeHeard([nudge(10, 2), nudge(5, 5), nudge(10, 3)])).toEqual({ seq: 12, events: range(5, 12).map(custom) });
    const one = nudge(1, 1);
    expect(mergeHeard([one])).toBe(one);
  });
});
