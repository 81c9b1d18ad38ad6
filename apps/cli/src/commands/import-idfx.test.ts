import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { simulate, toBundle } from '@veritas/simulator';
import { toIdfx } from '@veritas/schema/idfx';
import { printed } from '../testing/printed';
import { importIdfx } from './import-idfx';
import { verify } from './verify';

const dir = mkdtempSync(join(tmpdir(), 'veritas-idfx-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('veritas import-idfx', () => {
  it('turns an exported IDFX log back into the bundle of its events, which verify accepts', async () => {
    const original = await toBundle(simulate('genuine', 5));
    const events = original.batches.flatMap((b) => b.events);
    const log = write('essay.idfx', toIdfx(original.session, events));
    const out = await printed(() => importIdfx.run({ values: {}, positionals: [log] }));
    expect(out.code).toBe(0);
    const bundle = JSON.parse(out.lines[0]!);
    expect(bundle.session).toEqual(original.session);
    expect(bundle.batches.flatMap((b: { events: unknown[] }) => b.events)).toEqual(events);
    const checked = await printed(() => verify.run({ values: {}, positionals: [write('bundle.json', out.lines[0]!)] }));
    expect(checked.code, checked.text).toBe(0);
  });

  it('reads the IDFX parts alone when asked, declaring what IDFX does not capture, and dates a log that has no date', async () => {
    const original = await toBundle(simulate('genuine', 6));
    const xml = toIdfx(
      original.session,
      original.batches.flatMap((b) => b.events),
    )
      .replace(/<entry>\s*<key>veritas\.createdAt[\s\S]*?<\/entry>/, '')
      .replace(/<entry>\s*<key>__LogCreationTimeStamp[\s\S]*?<\/entry>/, '');
    const out = await printed(() =>
      importIdfx.run({ values: { 'idfx-only': true, 'created-at': '2026-02-03T04:05:06Z' }, positionals: [write('plain.idfx', xml)] }),
    );
    expect(out.code, out.text).toBe(0);
    const bundle = JSON.parse(out.lines[0]!);
    expect(bundle.session.createdAt).toBe('2026-02-03T04:05:06.000Z');
    expect(bundle.session.meta.capabilities).toMatchObject({ textChanges: true, keys: true, clipboard: false, focus: false });
  });

  it('says what is wrong with a file that is no IDFX log', async () => {
    const out = await printed(() => importIdfx.run({ values: {}, positionals: [write('bad.idfx', '<html><body/></html>')] }));
    expect(out.code).toBe(1);
    expect(out.text).toMatch(/bad\.idfx: not an IDFX log: no <log> element/);
  });
});
