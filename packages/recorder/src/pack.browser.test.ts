import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../scripts/test-support/chromium';
import { RecorderSite, attachRecorder, expectComplete, waitSaved } from './testing/connected-page';

/**
 * Issue 14: `npm pack` of @veritas/recorder installs into a fresh folder, with nothing from this
 * repository but the tarball (and TypeBox's, packed from node_modules, so no network is needed);
 * its types check under strict TypeScript with no skipLibCheck; its index.js records in Chromium.
 */
const run = promisify(execFile);
const HERE = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(HERE, '../..');
const tsc = join(ROOT, 'node_modules/.bin/tsc');

let consumer: string;
let browser: Browser | undefined;
let site: RecorderSite | undefined;

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'veritas-pack-'));
  const dist = join(work, 'dist');
  await run(process.execPath, [join(HERE, 'build.mjs'), '--outdir', dist]);
  await run('npm', ['pack', '--pack-destination', work], { cwd: dist });
  await run('npm', ['pack', join(ROOT, 'node_modules/@sinclair/typebox'), '--pack-destination', work], { cwd: work });
  const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(tarballs.some((f) => f.startsWith('veritas-recorder-'))).toBe(true);
  consumer = join(work, 'consumer');
  await run('mkdir', [consumer]);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'partner-page', private: true, type: 'module' }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs.map((f) => join(work, f))], { cwd: consumer });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

describe('the packed @veritas/recorder in a fresh folder', () => {
  it('installs with its declarations self-contained: a strict TypeScript consumer compiles, and wrong event data does not', async () => {
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules/@veritas/recorder/package.json'), 'utf8'));
    expect(installed.name).toBe('@veritas/recorder');
    expect(Object.keys(installed.dependencies ?? {})).not.toContain('@veritas/schema');
    writeFileSync(
      join(consumer, 'main.ts'),
      [
        "import { attach, type Recorder, type RecorderStatus, type VeritasEvent } from '@veritas/recorder';",
        "const rec: Recorder = attach(document.createElement('textarea'), { server: '', onStatus: (s: RecorderStatus) => console.log(s.state) });",
        "rec.emit('mark', { label: 'halfway' });",
        "rec.emit('sensor', { kind: 'accel', samples: [[0, 0.1, 0.2, 9.8]] });",
        '// @ts-expect-error a mark has a label, not a name (the event types are real, not any)',
        "rec.emit('mark', { name: 'x' });",
        'export const first = (events: VeritasEvent[]): number | undefined => events[0]?.seq;',
      ].join('\n'),
    );
    const options = {
      strict: true,
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'bundler',
      lib: ['ES2022', 'DOM'],
      noEmit: true,
      skipLibCheck: false,
      types: [],
    };
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['main.ts'] }));
    await expect(run(tsc, ['-p', consumer])).resolves.toBeDefined();
    // And a real error is reported: the check is not vacuous.
    writeFileSync(join(consumer, 'main.ts'), "import { attach } from '@veritas/recorder';\nattach(document.body, { batchMs: 'soon' });\n");
    await expect(run(tsc, ['-p', consumer])).rejects.toMatchObject({ stdout: expect.stringMatching(/main.ts\(2,25\): error TS2322/) });
  });

  it('records a session in Chromium from the installed index.js', async () => {
    site = await RecorderSite.open('packed', { recorderJs: join(consumer, 'node_modules/@veritas/recorder/index.js') });
    browser = await launchChromium();
    const page = await browser.newPage();
    await attachRecorder(page, site, { server: '', storageKey: 'packed', batchMs: 100, meta: { title: 'Packed' } });
    await page.locator('#ed').click();
    await page.keyboard.type('Recorded by the packed SDK.');
    await page.evaluate(() => (window as unknown as { rec: { flush(): Promise<void> } }).rec.flush());
    const s = await waitSaved(page);
    const events = await expectComplete(page, site, s.sessionId!, s.ack + 1);
    expect(events.length).toBeGreaterThan(20);
    await page.close();
  });
});
