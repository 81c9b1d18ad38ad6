import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));

describe('the publishable SDK (node build.mjs)', () => {
  it('is one minified ESM file with declarations, no validator inside, under 12 KB gzip', () => {
    execFileSync(process.execPath, ['build.mjs'], { cwd: here, stdio: 'pipe' });
    const js = readFileSync(`${here}dist/index.js`, 'utf8');
    expect(js).toMatch(/export\s*\{/);
    expect(js).not.toMatch(/TypeCompiler|@sinclair\/typebox|TypeBoxError/);
    expect(gzipSync(js, { level: 9 }).length).toBeLessThan(12 * 1024);
    expect(existsSync(`${here}dist/types/index.d.ts`)).toBe(true);
    expect(readFileSync(`${here}dist/types/index.d.ts`, 'utf8')).toMatch(/attach/);
    const pkg = JSON.parse(readFileSync(`${here}dist/package.json`, 'utf8'));
    expect(pkg.exports['.']).toEqual({ types: './types/index.d.ts', import: './index.js' });
  });
});
