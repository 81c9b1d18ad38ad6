import { describe, expect, it } from 'vitest';
import type { VeritasEvent } from '../events';
import { verifyChain } from '../chain';
import { parseBundle } from '../validate';
import { fromIdfx, IdfxError, idfxToBundle, toIdfx } from './index';

const SESSION = { id: 'idfxTestSession0001', kind: 'writing' as const, createdAt: '2026-01-05T09:00:00.000Z' };

/** Events as the recorder writes them: each typed change, then its key's release; a paste, a focus loss, a selection typed over. */
function writing(): VeritasEvent[] {
  const raw: Omit<VeritasEvent, 'seq'>[] = [];
  let t = 100;
  let pos = 0;
  const type = (ch: string, cls: 'char' | 'space' | 'enter' = ch === ' ' ? 'space' : ch === '\n' ? 'enter' : 'char') => {
    raw.push({ t, type: 'text.op', data: { pos, del: 0, ins: ch, cause: 'type' } } as never);
    raw.push({ t: t + 60.5, type: 'key', data: { class: cls, hold: 80.5 } } as never);
    pos += ch.length;
    t += 150;
  };
  for (const ch of 'Hello wrld') type(ch);
  // Three backspaces ('wrld' back to 'w'), then the rest typed again.
  for (let i = 0; i < 3; i++) {
    raw.push({ t, type: 'text.op', data: { pos: pos - 1, del: 1, ins: '', cause: 'type' } } as never);
    raw.push({ t: t + 50, type: 'key', data: { class: 'backspace', hold: 70 } } as never);
    pos -= 1;
    t += 140;
  }
  for (const ch of 'orld.') type(ch);
  raw.push({ t, type: 'key', data: { class: 'nav', hold: 90 } } as never);
  t += 200;
  raw.push({ t, type: 'visibility', data: { state: 'hidden' } } as never);
  raw.push({ t: t + 5000, type: 'visibility', data: { state: 'visible' } } as never);
  t += 5100;
  raw.push({ t, type: 'text.op', data: { pos, del: 0, ins: ' Pasted, with <tags> & "quotes".', cause: 'paste' } } as never);
  pos += ' Pasted, with <tags> & "quotes".'.length;
  t += 300;
  type('\n');
  // "Hello" selected and typed over with "J".
  raw.push({ t, type: 'selection', data: { start: 0, end: 5 } } as never);
  raw.push({ t: t + 10, type: 'text.op', data: { pos: 0, del: 5, ins: 'J', cause: 'type' } } as never);
  raw.push({ t: t + 70, type: 'key', data: { class: 'char', hold: 66 } } as never);
  return raw.map((e, seq) => ({ ...e, seq }) as VeritasEvent);
}

const textOf = (events: readonly VeritasEvent[]) =>
  events.reduce((s, e) => (e.type === 'text.op' ? s.slice(0, e.data.pos) + e.data.ins + s.slice(e.data.pos + e.data.del) : s), '');
const ops = (events: readonly VeritasEvent[]) => events.flatMap((e) => (e.type === 'text.op' ? [[e.data.pos, e.data.del, e.data.ins]] : []));
const keys = (events: readonly VeritasEvent[]) =>
  events.flatMap((e) => (e.type === 'key' ? [`${e.data.class}:${Math.round(e.t - e.data.hold)}-${Math.round(e.t)}`] : [])).sort();

describe('IDFX', () => {
  it('writes an Inputlog log: keyboard events with winlog and wordlog parts, a replacement for a selection typed over, an insert for a paste', () => {
    const xml = toIdfx(SESSION, writing());
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain('<key>__LogCreationTimeStamp</key>');
    expect(xml).toMatch(
      /<event id="0" type="keyboard">\s*<part type="winlog">\s*<startTime>80<\/startTime>\s*<endTime>161<\/endTime>\s*<key>VK_H<\/key>\s*<value>H<\/value>/,
    );
    expect(xml).toMatch(/<part type="wordlog">\s*<position>0<\/position>\s*<documentLength>1<\/documentLength>\s*<replay>True<\/replay>/);
    expect(xml).toMatch(/<key>VK_BACK<\/key>/);
    expect(xml).toMatch(/<event id="\d+" type="insert">/);
    expect(xml).toContain('<newtext> Pasted, with &lt;tags&gt; &amp; &quot;quotes&quot;.</newtext>');
    expect(xml).toMatch(/<event id="\d+" type="replacement">[\s\S]*?<start>0<\/start>\s*<end>5<\/end>\s*<newtext>J<\/newtext>/);
  });

  it('reads back its own log event for event', () => {
    const events = writing();
    const read = fromIdfx(toIdfx(SESSION, events));
    expect(read.source).toBe('veritas');
    expect(read.events).toEqual(events);
    expect(read.session).toMatchObject(SESSION);
  });

  it('reads the same keystrokes and text from the IDFX parts alone, as a tool that knows nothing of Veritas', () => {
    const events = writing();
    const read = fromIdfx(toIdfx(SESSION, events), { exact: false });
    expect(read.source).toBe('idfx');
    expect(textOf(read.events)).toBe(textOf(events));
    expect(textOf(events)).toBe('J world. Pasted, with <tags> & "quotes".\n');
    expect(ops(read.events)).toEqual(ops(events));
    expect(keys(read.events)).toEqual(keys(events));
    expect(read.capabilities).toMatchObject({ keys: true, keyHolds: true, clipboard: false, focus: false });
  });

  it('imports an Inputlog log it did not write', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<log>
  <meta><entry><key>__LogCreationTimeStamp</key><value>1767600000000</value></entry></meta>
  <session/>
  <event id="0" type="keyboard">
    <part type="wordlog"><position>0</position><documentLength>1</documentLength><replay>True</replay></part>
    <part type="winlog"><startTime>5000</startTime><endTime>5090</endTime><key>VK_O</key><value>O</value><keyboardstate></keyboardstate></part>
  </event>
  <event id="1" type="keyboard">
    <part type="wordlog"><position>1</position><documentLength>2</documentLength><replay>True</replay></part>
    <part type="winlog"><startTime>5180</startTime><endTime>5250</endTime><key>VK_K</key><value>k</value><keyboardstate></keyboardstate></part>
  </event>
  <event id="2" type="keyboard">
    <part type="wordlog"><position>1</position><documentLength>2</documentLength><replay>True</replay></part>
    <part type="winlog"><startTime>5400</startTime><endTime>5470</endTime><key>VK_BACK</key><value>&#x8;</value><keyboardstate></keyboardstate></part>
  </event>
  <event id="3" type="keyboard">
    <part type="wordlog"><position>1</position><documentLength>2</documentLength><replay>True</replay></part>
    <part type="winlog"><startTime>5600</startTime><endTime>5660</endTime><key>VK_N</key><value>n</value><keyboardstate></keyboardstate></part>
  </event>
  <event id="4" type="keyboard">
    <part type="wordlog"><position>0</position><documentLength>2</documentLength><replay>False</replay></part>
    <part type="winlog"><startTime>6000</startTime><endTime>6050</endTime><key>VK_DELETE</key><value></value><keyboardstate></keyboardstate></part>
  </event>
  <event id="5" type="replacement">
    <part type="wordlog"><start>0</start><end>2</end><newtext></newtext></part>
  </event>
</log>`;
    const read = fromIdfx(xml);
    expect(read.source).toBe('idfx');
    expect(ops(read.events)).toEqual([
      [0, 0, 'O'],
      [1, 0, 'k'],
      [1, 1, ''],
      [1, 0, 'n'],
      [0, 2, ''],
    ]);
    expect(textOf(read.events.filter((e) => e.type === 'text.op').slice(0, 4))).toBe('On');
    expect(textOf(read.events)).toBe('');
    expect(read.events.filter((e) => e.type === 'key').map((e) => (e.type === 'key' ? [e.data.class, e.data.hold] : []))).toEqual([
      ['char', 90],
      ['char', 70],
      ['backspace', 70],
      ['char', 60],
      ['delete', 50],
    ]);
    expect(read.events[0]).toMatchObject({ seq: 0, t: 5000 });
    expect(read.session.createdAt).toBe(new Date(1767600000000).toISOString());
  });

  it('makes a bundle whose chain holds, the same from the same file', async () => {
    const xml = toIdfx(SESSION, writing());
    const bundle = await idfxToBundle(xml);
    expect(parseBundle(JSON.parse(JSON.stringify(bundle))).ok).toBe(true);
    expect(await verifyChain(bundle.session.id, bundle.batches)).toBeNull();
    expect(bundle.session.id).toBe(SESSION.id);
    const foreign = await idfxToBundle(xml.replace(/<part type="veritas">[\s\S]*?<\/part>/g, '').replace(/<entry>\s*<key>veritas\.[\s\S]*?<\/entry>/g, ''));
    expect(foreign.session.id).toMatch(/^idfx_[0-9a-f]{32}$/);
    expect(foreign.session.meta?.capabilities).toMatchObject({ clipboard: false });
    expect(
      (await idfxToBundle(xml.replace(/<part type="veritas">[\s\S]*?<\/part>/g, '').replace(/<entry>\s*<key>veritas\.[\s\S]*?<\/entry>/g, ''))).session.id,
    ).toBe(foreign.session.id);
  });

  it('refuses what is not an IDFX log, saying why', () => {
    expect(() => fromIdfx('<log><event type="keyboard"')).toThrow(IdfxError);
    expect(() => fromIdfx('<html></html>')).toThrow(/no <log> element/);
    expect(() => fromIdfx('<log><meta/></log>')).toThrow(/no event/);
    expect(() =>
      fromIdfx(
        '<log><event type="keyboard"><part type="winlog"><startTime>x</startTime><endTime>1</endTime><key>VK_A</key><value>a</value></part><part type="wordlog"><position>0</position><documentLength>1</documentLength><replay>True</replay></part></event></log>',
      ),
    ).toThrow(/startTime is not a number/);
  });
});
