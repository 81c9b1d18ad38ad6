import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildBatches, createSession } from '../../testing/factories';
import { PUBLIC_SCOPE, tenantScope } from '../../kernel/scope';
import { eventWindows, listEvents, seqBounds } from './events.repository';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

/** A session with `text` typed into it: a text op and a key event per character. */
async function typed(text: string): Promise<string> {
  const s = await createSession(t.app);
  const events: VeritasEvent[] = [...text].flatMap((ch, i): VeritasEvent[] => [
    { seq: 2 * i, t: 100 * i, type: 'text.op', data: { pos: i, del: 0, ins: ch, cause: 'type' } },
    { seq: 2 * i + 1, t: 100 * i + 30, type: 'key', data: { class: 'char', hold: 40 } },
  ]);
  for (const b of await buildBatches({ sessionId: s.id, writeToken: s.writeToken, events, size: 7 })) {
    const r = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: b });
    if (r.statusCode !== 200) throw new Error(`ingest answered ${r.statusCode}: ${r.body}`);
  }
  return s.id;
}

async function collect(pages: AsyncIterable<VeritasEvent[]>): Promise<{ events: VeritasEvent[]; sizes: number[] }> {
  const events: VeritasEvent[] = [];
  const sizes: number[] = [];
  for await (const page of pages) {
    events.push(...page);
    sizes.push(page.length);
  }
  return { events, sizes };
}

describe('eventWindows', () => {
  it('reads every event once, in seq order, a window of seqs at a time, with or without a type filter', async () => {
    const id = await typed('windows of seqs');
    const db = t.db.database.db;
    const all = await listEvents(db, PUBLIC_SCOPE, id, -1, 1000);
    const bounds = await seqBounds(db, PUBLIC_SCOPE, id);
    expect(bounds).toEqual({ first: all[0]!.seq, last: all[all.length - 1]!.seq });

    const read = await collect(eventWindows(db, PUBLIC_SCOPE, id, bounds!, 4));
    expect(read.events).toEqual(all);
    expect(read.sizes.every((n) => n <= 4)).toBe(true);
    expect(read.sizes.length).toBe(Math.ceil(all.length / 4));

    const keys = await collect(eventWindows(db, PUBLIC_SCOPE, id, bounds!, 5, ['key']));
    expect(keys.events).toEqual(all.filter((e) => e.type === 'key'));
    expect(keys.events.length).toBeGreaterThan(0);
  });

  it("empties a window's array once the next is asked for, and leaves its events as they were", async () => {
    const id = await typed('kept');
    const db = t.db.database.db;
    const it = eventWindows(db, PUBLIC_SCOPE, id, (await seqBounds(db, PUBLIC_SCOPE, id))!, 3);
    const first = (await it.next()).value as VeritasEvent[];
    const kept = first[0]!;
    const copy = structuredClone(kept);
    expect(first.length).toBe(3);
    await it.next();
    expect(first.length).toBe(0);
    expect(kept).toEqual(copy);
    await it.return(undefined);
  });

  it('has no bounds for a session without events or outside the scope', async () => {
    const empty = await createSession(t.app);
    expect(await seqBounds(t.db.database.db, PUBLIC_SCOPE, empty.id)).toBeNull();
    const id = await typed('hidden');
    expect(await seqBounds(t.db.database.db, tenantScope('someone-else'), id)).toBeNull();
  });
});
