import { describe, expect, it } from 'vitest';
import { checkEvents, parseBundle, verifyChain, type VeritasEvent } from '@veritas/schema';
import { mulberry32, simulate, SIM_KINDS, toBundle } from './index';

function rebuild(events: readonly VeritasEvent[]): string {
  let doc = '';
  for (const e of events) if (e.type === 'text.op') doc = doc.slice(0, e.data.pos) + e.data.ins + doc.slice(e.data.pos + e.data.del);
  return doc;
}

describe('simulator', () => {
  it('mulberry32 is reproducible and spread over [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });

  it.each(SIM_KINDS)('%s: valid v1 events, seq from 0, t monotonic, ops rebuild the final text, same seed same session', (kind) => {
    const s = simulate(kind, 7);
    const check = checkEvents(0, s.events);
    expect(check.ok).toBe(true);
    expect(rebuild(s.events)).toBe(s.finalText);
    expect(simulate(kind, 7)).toEqual(s);
    expect(simulate(kind, 8).events).not.toEqual(s.events);
  });

  it('genuine composition: keys overlap like people, pauses before sentences are longer than within words', () => {
    const s = simulate('genuine', 3);
    const keys = s.events.filter((e): e is Extract<VeritasEvent, { type: 'key' }> => e.type === 'key');
    let overlap = 0;
    for (let i = 1; i < keys.length; i++) if (keys[i]!.t - keys[i]!.data.hold < keys[i - 1]!.t) overlap++;
    expect(overlap / keys.length).toBeGreaterThan(0.15);
    expect(overlap / keys.length).toBeLessThan(0.6);
    expect(new Set(keys.map((k) => k.data.hold)).size).toBeGreaterThan(keys.length / 4);
    expect(s.events.some((e) => e.type === 'text.op' && e.data.del > 0)).toBe(true);
    expect(s.finalText).toMatch(/^[A-Z][a-z]+ [^]*[.?!] [A-Z][^]*\n[A-Z]/);
  });

  it('paste-heavy: pasted text matches no copy of the session; auto-typer variants look as described', () => {
    const p = simulate('paste', 2);
    const copies = new Set(p.events.flatMap((e) => (e.type === 'clipboard' && e.data.action !== 'paste' ? [e.data.hash] : [])));
    const pastes = p.events.filter((e) => e.type === 'clipboard' && e.data.action === 'paste');
    expect(pastes.length).toBeGreaterThan(1);
    for (const e of pastes) if (e.type === 'clipboard') expect(copies.has(e.data.hash)).toBe(false);

    const untrusted = simulate('autotyper', 1, { autoVariant: 'untrusted' });
    expect(untrusted.events.filter((e) => e.type === 'key').every((e) => e.type === 'key' && e.data.trusted === false)).toBe(true);
    const keyless = simulate('autotyper', 1, { autoVariant: 'keyless' });
    expect(keyless.events.some((e) => e.type === 'key')).toBe(false);
    expect(keyless.finalText.length).toBeGreaterThan(300);
  });

  it('dictation and IME enter text through their causes, without ordinary char keys for it', () => {
    const d = simulate('dictation', 1);
    const dictated = d.events.filter((e) => e.type === 'text.op' && e.data.cause === 'dictation');
    expect(dictated.length).toBeGreaterThan(10);
    const ime = simulate('ime', 1);
    expect(ime.events.some((e) => e.type === 'text.op' && e.data.cause === 'ime' && e.data.del > 0)).toBe(true);
    expect(ime.events.some((e) => e.type === 'key' && e.data.class === 'char')).toBe(false);
  });

  it('sensor sessions sample at 50 to 100 Hz with some gaps; proctoring sessions carry metrics and violations', () => {
    const s = simulate('sensor', 5, { durationMs: 60_000 });
    const rows = s.events.flatMap((e) => (e.type === 'sensor' && e.data.kind === 'accel' ? e.data.samples : []));
    const hz = (rows.length - 1) / ((rows.at(-1)![0]! - rows[0]![0]!) / 1000);
    expect(hz).toBeGreaterThan(40);
    expect(hz).toBeLessThan(101);
    const v = simulate('proctoring-violations', 5);
    expect(v.events.some((e) => e.type === 'violation')).toBe(true);
    expect(v.events.filter((e) => e.type === 'metrics').length).toBeGreaterThan(300);
  });

  it('toBundle makes a bundle that parses and whose chain verifies', async () => {
    const sim = simulate('genuine', 1, { paragraphs: 1 });
    const bundle = await toBundle(sim, { batchSize: 50 });
    const parsed = parseBundle(JSON.parse(JSON.stringify(bundle)));
    expect(parsed.ok).toBe(true);
    expect(bundle.batches.length).toBe(Math.ceil(sim.events.length / 50));
    expect(await verifyChain(bundle.session.id, bundle.batches)).toBeNull();
    expect(bundle.batches.flatMap((b) => b.events)).toEqual(sim.events);
  });
});
