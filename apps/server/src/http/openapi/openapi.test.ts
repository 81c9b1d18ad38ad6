import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OPENAPI_PATH, renderOpenApi } from './openapi-document';

describe('docs/openapi.json', () => {
  it('is the document the routes generate (run `npm run openapi` after changing a route)', async () => {
    const checkedIn = await readFile(OPENAPI_PATH, 'utf8').catch(() => '');
    expect(checkedIn, 'docs/openapi.json is stale: run `npm run openapi`').toBe(await renderOpenApi());
  });

  it('documents every route with its problems and the write-token scheme', async () => {
    const doc = JSON.parse(await renderOpenApi());
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/sessions',
        '/v1/sessions/{id}',
        '/v1/sessions/{id}/events',
        '/v1/sessions/{id}/end',
        '/v1/sessions/{id}/bundle',
        '/v1/bundles',
        '/health',
        '/ready',
      ]),
    );
    expect(doc.paths['/v1/sessions/{id}/events'].post.responses['409']).toBeDefined();
    expect(doc.components.securitySchemes.writeToken.scheme).toBe('bearer');
  });
});
