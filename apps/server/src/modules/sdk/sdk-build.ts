// Test support (Node only): the recorder's browser build, made by its own build script.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

/**
 * Builds the recorder (`packages/recorder/build.mjs --js-only`) into a fresh folder and answers it:
 * its own folder, so a test never reads a dist/ another test is rebuilding.
 */
export function buildSdkInto(dir = mkdtempSync(join(tmpdir(), 'veritas-sdk-'))): { dir: string; js: Buffer; version: string } {
  execFileSync(process.execPath, [join(REPO_ROOT, 'packages/recorder/build.mjs'), '--outdir', dir, '--js-only'], { stdio: 'pipe' });
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'packages/recorder/package.json'), 'utf8')) as { version: string }).version;
  return { dir, js: readFileSync(join(dir, 'index.js')), version };
}

/** The README's embed snippet: the first ```html block of its "Embed the recorder on your site" section. */
export function readmeEmbedSnippet(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Embed the recorder on your site'));
  const html = section && /```html\n([\s\S]*?)```/.exec(section)?.[1];
  if (!html) throw new Error('README.md has no "Embed the recorder on your site" section with an html block');
  return html;
}
