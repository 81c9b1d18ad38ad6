import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkEvents, verifyChain, type Bundle, type VeritasEvent } from '@veritas/schema';
import { launchChromium } from '../../../scripts/test-support/chromium';
import { bundleRecorder, eventsOf, ops, replayText, serveDir, writePage } from './testing/harness';

let browser: Browser;
let site: Awaited<ReturnType<typeof serveDir>>;

beforeAll(async () => {
  const dir = await bundleRecorder();
  writePage(dir, 'textarea.html', '<textarea id="ed" rows="6" cols="60"></textarea><textarea id="other"></textarea>');
  writePage(dir, 'input.html', '<input id="ed" size="60">');
  writePage(dir, 'rich.html', '<div id="ed" contenteditable="true" style="min-height:80px;border:1px solid #999"></div>');
  site = await serveDir(dir);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

interface Scene {
  ctx: BrowserContext;
  page: Page;
}

/** A fresh context (own storage and clipboard), a page with the editor, and a client-only recorder on it. */
async function open(file = 'textarea.html', initial = ''): Promise<Scene> {
  const ctx = await browser.newContext();
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.url });
  const page = await ctx.newPage();
  await page.goto(`${site.url}/${file}`);
  await page.waitForFunction(() => (window as unknown as { veritasLoaded?: boolean }).veritasLoaded);
  await page.evaluate(async (initial) => {
    const w = window as unknown as { V: typeof import('./index'); rec: import('./index').Recorder; errors: unknown[] };
    const ed = document.getElementById('ed')!;
    if (ed instanceof HTMLTextAreaElement || ed instanceof HTMLInputElement) ed.value = initial;
    else ed.textContent = initial;
    w.errors = [];
    w.rec = w.V.attach(ed, { consent: { policy: 'test-policy' }, storage: 'memory', batchMs: 50, onError: (e) => w.errors.push(e) });
    await w.rec.ready;
  }, initial);
  await page.locator('#ed').click();
  return { ctx, page };
}

/** The recorded events, after checking that they validate, chain, and rebuild the editor's text. */
async function finish({ ctx, page }: Scene, expected?: string): Promise<VeritasEvent[]> {
  const { bundle, value, errors } = await page.evaluate(async () => {
    const w = window as unknown as { rec: import('./index').Recorder; errors: unknown[] };
    const ed = document.getElementById('ed')!;
    const bundle = await w.rec.exportBundle();
    // innerText of a contenteditable counts an empty line twice: those are compared with the text the writer sees.
    const value = ed instanceof HTMLTextAreaElement || ed instanceof HTMLInputElement ? ed.value : null;
    return { bundle, value, errors: w.errors };
  });
  await ctx.close();
  expect(errors).toEqual([]);
  const events = eventsOf(bundle as Bundle);
  const checked = checkEvents(0, events);
  expect(checked.ok ? [] : checked.issues).toEqual([]);
  expect(await verifyChain(bundle.session.id, bundle.batches)).toBeNull();
  expect(events[0]).toMatchObject({ seq: 0, type: 'consent', data: { policy: 'test-policy', accepted: true } });
  const text = replayText(events);
  if (value !== null) expect(text).toBe(value);
  if (expected !== undefined) expect(text).toBe(expected);
  return events;
}

const causes = (events: VeritasEvent[]) => ops(events).map((o) => o.cause);
const mod = 'Control';

describe('textarea', () => {
  it('typing: one op per character, key classes and hold times but never the key', async () => {
    const s = await open();
    await s.page.keyboard.type('Hi there', { delay: 15 });
    await s.page.keyboard.press('Enter');
    const events = await finish(s, 'Hi there\n');
    expect(ops(events)).toHaveLength(9);
    expect(ops(events).every((o) => o.cause === 'type' && o.trusted === true && o.del === 0)).toBe(true);
    const keys = events.filter((e) => e.type === 'key');
    expect(keys.map((k) => k.data.class)).toEqual(['modifier', 'char', 'char', 'space', 'char', 'char', 'char', 'char', 'char', 'enter'].slice(1));
    for (const k of keys) {
      expect(Object.keys(k.data).sort()).toEqual(['class', 'hold', 'trusted']);
      expect(k.data.hold).toBeGreaterThanOrEqual(0);
    }
    // Release after press: the key event comes after the op its press made.
    const firstOp = events.findIndex((e) => e.type === 'text.op');
    expect(events.findIndex((e) => e.type === 'key')).toBeGreaterThan(firstOp);
    expect(JSON.stringify(keys.map((k) => k.data))).not.toMatch(/"(H|i|KeyH|KeyI)"/);
    const ts = events.map((e) => e.t);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
  });

  it('typing in the middle, Backspace, Delete and Ctrl+Backspace', async () => {
    const s = await open('textarea.html', 'Hello world');
    await s.page.keyboard.press('End');
    for (let i = 0; i < 5; i++) await s.page.keyboard.press('ArrowLeft');
    await s.page.keyboard.type('big ');
    await s.page.keyboard.press('Backspace');
    await s.page.keyboard.press('Delete');
    await s.page.keyboard.press('End');
    await s.page.keyboard.press(`${mod}+Backspace`);
    const events = await finish(s, 'Hello ');
    const o = ops(events);
    expect(o.slice(0, 4).map((x) => x.pos)).toEqual([6, 7, 8, 9]);
    expect(o[4]).toMatchObject({ pos: 9, del: 1, ins: '' });
    expect(o[5]).toMatchObject({ pos: 9, del: 1, ins: '' });
    expect(o[6]).toMatchObject({ pos: 6, del: 7, ins: '', cause: 'type' });
    expect(events.some((e) => e.type === 'selection')).toBe(true);
  });

  it('select-and-replace: the selection is replaced by the first typed character', async () => {
    const s = await open('textarea.html', 'Hello world');
    await s.page.evaluate(() => (document.getElementById('ed') as HTMLTextAreaElement).setSelectionRange(6, 11));
    await s.page.keyboard.type('there');
    const events = await finish(s, 'Hello there');
    expect(ops(events)[0]).toMatchObject({ pos: 6, del: 5, ins: 't', cause: 'type' });
    expect(events.filter((e) => e.type === 'selection').map((e) => e.data)).toContainEqual({ start: 6, end: 11 });
  });

  it('the caret after each typed character, and a caret the page moved after the input', async () => {
    const s = await open('textarea.html', 'Hello');
    await s.page.keyboard.press('End');
    await s.page.keyboard.type('ab');
    // The page moves the caret to the start whenever the text changes: the recording must end there.
    await s.page.evaluate(() => {
      const ed = document.getElementById('ed') as HTMLTextAreaElement;
      ed.addEventListener('input', () => ed.setSelectionRange(0, 0));
      // Heard after the recorder's own selectionchange listener (registered before this one).
      (window as unknown as { moved: Promise<void> }).moved = new Promise((resolve) =>
        document.addEventListener('selectionchange', () => ed.selectionStart === 0 && resolve()),
      );
    });
    await s.page.keyboard.type('c');
    await s.page.evaluate(() => (window as unknown as { moved: Promise<void> }).moved);
    const events = await finish(s, 'Helloabc');
    const o = ops(events);
    expect(o.map((x) => [x.pos, x.ins])).toEqual([
      [5, 'a'],
      [6, 'b'],
      [7, 'c'],
    ]);
    // Typing alone records no selection: each caret is where its op left it.
    const firstOp = events.findIndex((e) => e.type === 'text.op');
    const lastOp = events.findLastIndex((e) => e.type === 'text.op');
    expect(events.slice(firstOp, lastOp).filter((e) => e.type === 'selection')).toEqual([]);
    expect(
      events
        .slice(lastOp)
        .filter((e) => e.type === 'selection')
        .map((e) => e.data),
    ).toEqual([{ start: 0, end: 0 }]);
  });

  it('copy, cut and paste: hashes and lengths, internal and external pastes', async () => {
    const s = await open('textarea.html', 'alpha beta');
    await s.page.evaluate(() => (document.getElementById('ed') as HTMLTextAreaElement).setSelectionRange(0, 5));
    await s.page.keyboard.press(`${mod}+C`);
    await s.page.keyboard.press('End');
    await s.page.keyboard.press(`${mod}+V`);
    await s.page.evaluate(() => (document.getElementById('ed') as HTMLTextAreaElement).setSelectionRange(6, 10));
    await s.page.keyboard.press(`${mod}+X`);
    await s.page.keyboard.press(`${mod}+V`);
    await s.page.evaluate(() => navigator.clipboard.writeText('from elsewhere'));
    await s.page.keyboard.press(`${mod}+V`);
    const events = await finish(s, 'alpha betafrom elsewherealpha');
    const clips = events.flatMap((e) => (e.type === 'clipboard' ? [e.data] : []));
    expect(clips.map((c) => [c.action, c.len, c.internal])).toEqual([
      ['copy', 5, undefined],
      ['paste', 5, true],
      ['cut', 4, undefined],
      ['paste', 4, true],
      ['paste', 14, false],
    ]);
    expect(clips[0]!.hash).toBe(clips[1]!.hash);
    expect(clips[0]!.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(clips)).not.toContain('alpha');
    expect(causes(events)).toEqual(['paste', 'cut', 'paste', 'paste']);
  });

  it('undo and redo', async () => {
    const s = await open();
    await s.page.keyboard.type('one two');
    await s.page.keyboard.press(`${mod}+Z`);
    const afterUndo = await s.page.locator('#ed').inputValue();
    await s.page.keyboard.press(`${mod}+Shift+Z`);
    const events = await finish(s, 'one two');
    expect(afterUndo).not.toBe('one two');
    expect(causes(events).slice(-2)).toEqual(['undo', 'redo']);
  });

  it('IME composition through CDP, with the 229 key presses a real IME sends', async () => {
    const s = await open('textarea.html', 'A');
    await s.page.keyboard.press('End');
    const cdp = await s.ctx.newCDPSession(s.page);
    const imeKey = async () => {
      await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: 'Process', code: 'KeyN', windowsVirtualKeyCode: 229 });
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Process', code: 'KeyN', windowsVirtualKeyCode: 229 });
    };
    await imeKey();
    await cdp.send('Input.imeSetComposition', { text: 'に', selectionStart: 1, selectionEnd: 1 });
    await imeKey();
    await cdp.send('Input.imeSetComposition', { text: 'にほ', selectionStart: 2, selectionEnd: 2 });
    await imeKey();
    await cdp.send('Input.imeSetComposition', { text: '日本', selectionStart: 2, selectionEnd: 2 });
    await cdp.send('Input.insertText', { text: '日本' });
    await s.page.keyboard.type('!');
    const events = await finish(s, 'A日本!');
    const c = causes(events);
    expect(c.at(-1)).toBe('type');
    expect(c.slice(0, -1).length).toBeGreaterThanOrEqual(3);
    expect(c.slice(0, -1).every((x) => x === 'ime')).toBe(true);
  });

  it('dictation: text inserted without key presses, and a host-declared input method', async () => {
    const s = await open();
    const cdp = await s.ctx.newCDPSession(s.page);
    await s.page.waitForTimeout(1100);
    await cdp.send('Input.insertText', { text: 'spoken words' });
    await s.page.evaluate(() => (window as unknown as { rec: import('./index').Recorder }).rec.setInputMethod('dictation'));
    await s.page.keyboard.type(' more');
    await s.page.evaluate(() => (window as unknown as { rec: import('./index').Recorder }).rec.setInputMethod(null));
    await s.page.keyboard.type('.');
    const events = await finish(s, 'spoken words more.');
    expect(causes(events)).toEqual(['dictation', 'dictation', 'dictation', 'dictation', 'dictation', 'dictation', 'type']);
  });

  it('drag and drop: text dropped from outside, and text moved inside the editor', async () => {
    const s = await open('textarea.html', 'one two');
    const box = (await s.page.locator('#ed').boundingBox())!;
    const cdp = await s.ctx.newCDPSession(s.page);
    const at = { x: box.x + box.width - 10, y: box.y + box.height - 10 };
    const data = { items: [{ mimeType: 'text/plain', data: ' three' }], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
    // Move "one" to the end with the mouse: select it, press on it, drag, release.
    await s.page.evaluate(() => (document.getElementById('ed') as HTMLTextAreaElement).setSelectionRange(0, 3));
    await s.page.mouse.move(box.x + 8, box.y + 10);
    await s.page.mouse.down();
    await s.page.mouse.move(box.x + 60, box.y + 12, { steps: 5 });
    await s.page.mouse.move(at.x, at.y, { steps: 5 });
    await s.page.mouse.up();
    const events = await finish(s);
    const o = ops(events);
    expect(o).toEqual([
      { pos: 7, del: 0, ins: ' three', cause: 'drop', trusted: true },
      { pos: 0, del: 3, ins: '', cause: 'drop', trusted: true },
      { pos: 10, del: 0, ins: 'one', cause: 'drop', trusted: true },
    ]);
  });

  it('a change made by a script is recorded as programmatic', async () => {
    const s = await open();
    await s.page.keyboard.type('abc');
    await s.page.evaluate(() => {
      (document.getElementById('ed') as HTMLTextAreaElement).value = 'xabc';
    });
    await s.page.keyboard.type('d');
    const events = await finish(s, 'xabcd');
    expect(ops(events).find((o) => o.cause === 'programmatic')).toEqual({ pos: 0, del: 0, ins: 'x', cause: 'programmatic' });
  });
});

describe('input and contenteditable', () => {
  it('records an <input>', async () => {
    const s = await open('input.html');
    await s.page.keyboard.type('short answer');
    await s.page.keyboard.press('Backspace');
    await finish(s, 'short answe');
  });

  it('records a contenteditable: lines, deletions, a paste', async () => {
    const s = await open('rich.html');
    await s.page.keyboard.type('first line');
    await s.page.keyboard.press('Enter');
    await s.page.keyboard.type('second');
    await s.page.keyboard.press('Enter');
    await s.page.keyboard.press('Enter');
    await s.page.keyboard.type('fourth');
    await s.page.keyboard.press('Backspace');
    await s.page.evaluate(() => navigator.clipboard.writeText('pasted'));
    await s.page.keyboard.press(`${mod}+V`);
    await s.page.keyboard.press('Home');
    await s.page.keyboard.type('>');
    const events = await finish(s, 'first line\nsecond\n\n>fourtpasted');
    expect(causes(events)).toContain('paste');
  });
});
