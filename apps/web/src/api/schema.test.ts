import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_PATH, renderApiSchema } from '../../scripts/api-schema';

describe('apps/web/src/api/schema.d.ts', () => {
  it('is what docs/openapi.json generates (run `npm run client`, or `npm run openapi` after changing a route)', async () => {
    const checkedIn = await readFile(API_SCHEMA_PATH, 'utf8').catch(() => '');
    expect(checkedIn, 'apps/web/src/api/schema.d.ts is stale: run `npm run client`').toBe(await renderApiSchema());
  });
});
