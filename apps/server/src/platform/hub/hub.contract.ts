import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubErrorReporter, HubMessage, LiveHub } from './live-hub';

/** A hub driver under test. */
export interface HubHarness {
  /** Opens a hub (a "server instance"); hubs opened by one harness share their transport. */
  open(onError?: HubErrorReporter): Promise<LiveHub>;
  close(): Promise<void>;
}

const CEILING_MS = 60_000;

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = CEILING_MS): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A subscriber that records what it receives. */
export function recorder(): { got: HubMessage[]; handler: (m: HubMessage) => void } {
  const got: HubMessage[] = [];
  return { got, handler: (m) => void got.push(m) };
}

export const channelName = (what: string) => `${what}-${randomBytes(4).toString('hex')}`;

/** The one contract every live hub driver passes. */
export function hubContract(driver: string, makeHarness: () => Promise<HubHarness>): void {
  describe(`live hub contract: ${driver}`, () => {
    let h: HubHarness;
    const opened: LiveHub[] = [];
    const open = async (onError?: HubErrorReporter) => {
      const hub = await h.open(onError);
      opened.push(hub);
      return hub;
    };

    beforeAll(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      for (const hub of opened.splice(0)) await hub.close();
    });
    afterAll(async () => h?.close());

    it('delivers a message to every subscriber of the channel, each its own copy', async () => {
      const hub = await open();
      const ch = channelName('session');
      const subs = [recorder(), recorder(), recorder()];
      for (const s of subs) await hub.subscribe(ch, s.handler);
      const message = { kind: 'batch.committed', seq: 3, tags: ['a', 'b'], at: null };
      expect(await hub.publish(ch, message)).toBe(true);
      await waitFor('every subscriber to get the message', () => subs.every((s) => s.got.length === 1));
      for (const s of subs) expect(s.got).toEqual([message]);
      expect(subs[0]!.got[0]).not.toBe(message);
      expect(subs[0]!.got[0]).not.toBe(subs[1]!.got[0]);
    });

    it('delivers nothing to a subscription after its unsubscribe, and keeps delivering to the others', async () => {
      const hub = await open();
      const ch = channelName('session');
      const gone = recorder();
      const stays = recorder();
      const unsubscribe = await hub.subscribe(ch, gone.handler);
      await hub.subscribe(ch, stays.handler);
      await hub.publish(ch, 'before');
      await waitFor('both to get the first message', () => gone.got.length === 1 && stays.got.length === 1);
      unsubscribe();
      unsubscribe(); // twice is harmless
      await hub.publish(ch, 'after');
      await hub.publish(ch, 'marker');
      // In publish order: once "marker" is in, "after" would have reached the unsubscribed handler too.
      await waitFor('the remaining subscriber to get the marker', () => stays.got.includes('marker'));
      expect(stays.got).toEqual(['before', 'after', 'marker']);
      expect(gone.got).toEqual(['before']);
    });

    it('drops messages already on their way to a handler that unsubscribes', async () => {
      const hub = await open();
      const ch = channelName('session');
      const gone = recorder();
      const stays = recorder();
      const unsubscribe = await hub.subscribe(ch, gone.handler);
      await hub.subscribe(ch, stays.handler);
      const sent = hub.publish(ch, 'in flight');
      unsubscribe();
      await sent;
      await hub.publish(ch, 'marker');
      await waitFor('the remaining subscriber to get the marker', () => stays.got.includes('marker'));
      expect(gone.got).toEqual([]);
    });

    it('keeps channels apart, even when one name begins with the other', async () => {
      const hub = await open();
      const a = channelName('room');
      const b = `${a}:1`;
      const onA = recorder();
      const onB = recorder();
      await hub.subscribe(a, onA.handler);
      await hub.subscribe(b, onB.handler);
      await hub.publish(a, 'a1');
      await hub.publish(b, 'b1');
      await hub.publish(a, 'a2');
      await hub.publish(b, 'b2');
      await hub.publish(channelName('other'), 'nobody');
      await waitFor('both channels to get their last message', () => onA.got.includes('a2') && onB.got.includes('b2'));
      expect(onA.got).toEqual(['a1', 'a2']);
      expect(onB.got).toEqual(['b1', 'b2']);
    });

    it('delivers one publisher’s messages on a channel in the order they were published', async () => {
      const hub = await open();
      const ch = channelName('session');
      const sub = recorder();
      await hub.subscribe(ch, sub.handler);
      const n = 300;
      // Not awaited one by one: order must hold for publishes in flight together.
      const results = await Promise.all(Array.from({ length: n }, (_, i) => hub.publish(ch, { seq: i })));
      expect(results.every(Boolean)).toBe(true);
      await waitFor(`${n} messages`, () => sub.got.length === n);
      expect(sub.got.map((m) => (m as { seq: number }).seq)).toEqual(Array.from({ length: n }, (_, i) => i));
    });

    it('reports a handler that throws and still delivers to the other subscribers', async () => {
      const errors: { err: unknown; during: string }[] = [];
      const hub = await open((err, ctx) => errors.push({ err, during: ctx.during }));
      const ch = channelName('session');
      await hub.subscribe(ch, () => {
        throw new Error('viewer went away');
      });
      const ok = recorder();
      await hub.subscribe(ch, ok.handler);
      expect(await hub.publish(ch, 1)).toBe(true);
      await waitFor('the healthy subscriber to get it', () => ok.got.length === 1);
      await waitFor('the error to be reported', () => errors.length === 1);
      expect(errors[0]).toMatchObject({ during: 'deliver', err: { message: 'viewer went away' } });
    });

    it('rejects a message JSON cannot carry, and resolves false once closed', async () => {
      const hub = await open();
      const ch = channelName('session');
      await expect(hub.publish(ch, { n: 1n } as unknown as HubMessage)).rejects.toThrow(TypeError);
      await expect(hub.publish(ch, undefined as unknown as HubMessage)).rejects.toThrow(TypeError);
      await hub.close();
      expect(await hub.publish(ch, 'late')).toBe(false);
    });
  });
}
