import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildSdkInto, readmeEmbedSnippet } from './sdk-build';

let t: TestApp;
let sdk: ReturnType<typeof buildSdkInto>;
beforeAll(async () => {
  sdk = buildSdkInto();
  t = await createTestApp({ sdkDir: sdk.dir });
});
afterAll(async () => t?.close());

const sri = (js: Buffer) => `sha384-${createHash('sha384').update(js).digest('base64')}`;

describe('/sdk: the recorder for pages to load', () => {
  it('serves the current build at /sdk/recorder.js, short-cached, to any origin', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/sdk/recorder.js', headers: { origin: 'https://partner.example' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers['cache-control']).toBe('public, max-age=300');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-allow-credentials']).toBeUndefined();
    expect(r.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(r.rawPayload.equals(sdk.js)).toBe(true);
    expect(r.body).toMatch(/export\s*\{/);
  });

  it('serves /sdk/recorder@<version>.js immutable, and no other version under its name', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/sdk/recorder@${sdk.version}.js` });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.rawPayload.equals(sdk.js)).toBe(true);
    expect(r.headers.etag).toBe(`"${sri(sdk.js)}"`);
    const again = await t.app.inject({ method: 'GET', url: `/sdk/recorder@${sdk.version}.js`, headers: { 'if-none-match': r.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    for (const version of ['0.0.0', `${sdk.version}-evil`, 'x'.repeat(65)]) {
      const other = await t.app.inject({ method: 'GET', url: `/sdk/recorder@${version}.js` });
      expect(other.statusCode, version).toBeGreaterThanOrEqual(400);
      expect(other.statusCode, version).toBeLessThan(500);
      expect(String(other.headers['content-type'])).toContain('application/problem+json');
    }
  });

  it("prints the versioned file's SRI hash in the README's embed snippet", () => {
    const snippet = readmeEmbedSnippet();
    const url = `https://YOUR-VERITAS-SERVER/sdk/recorder@${sdk.version}.js`;
    const map = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(snippet)![1]!) as {
      imports: Record<string, string>;
      integrity: Record<string, string>;
    };
    expect(map.imports['@veritas/recorder']).toBe(url);
    expect(map.integrity[url], 'rebuild with node packages/recorder/build.mjs and put the hash it prints in README.md').toBe(sri(sdk.js));
  });

  it('says how to build the recorder when the server has no build', async () => {
    const bare = await createTestApp({ sdkDir: mkdtempSync(join(tmpdir(), 'veritas-no-sdk-')) });
    try {
      const r = await bare.app.inject({ method: 'GET', url: '/sdk/recorder.js' });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ type: 'urn:veritas:problem:not-found', detail: expect.stringMatching(/build\.mjs/) });
    } finally {
      await bare.close();
    }
  });
});
