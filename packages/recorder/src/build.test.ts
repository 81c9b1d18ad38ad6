import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));

describe('the publishable SDK (node build.mjs)', () => {
  it('is one minified ESM file with declarations, no validator inside, under 12,000 B gzip', () => {
    // Built into a folder of its own: dist/ is what a running server serves at /sdk, never emptied under it.
    const out = join(mkdtempSync(join(tmpdir(), 'veritas-sdk-build-')), 'dist');
    const printed = execFileSync(process.execPath, ['build.mjs', '--outdir', out], { cwd: here, stdio: 'pipe' }).toString();
    const js = readFileSync(`${out}/index.js`, 'utf8');
    expect(js).toMatch(/export\s*\{/);
    expect(js).not.toMatch(/TypeCompiler|@sinclair\/typebox|TypeBoxError/);
    // 12 KB read as 12,000 B (not 12,288): the stricter reading of the issue's ceiling.
    expect(gzipSync(js, { level: 9 }).length).toBeLessThan(12_000);
    expect(existsSync(`${out}/types/index.d.ts`)).toBe(true);
    expect(readFileSync(`${out}/types/index.d.ts`, 'utf8')).toMatch(/attach/);
    const pkg = JSON.parse(readFileSync(`${out}/package.json`, 'utf8'));
    expect(pkg.exports['.']).toEqual({ types: './types/index.d.ts', import: './index.js' });
    // The SRI hash it prints is that of the file it wrote (what the README's embed snippet pins).
    expect(printed).toContain(
      `sha384-${createHash('sha384')
        .update(readFileSync(`${out}/index.js`))
        .digest('base64')}`,
    );
  });
});
