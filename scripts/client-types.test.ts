import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES_PATH, renderClientTypes } from './client-types';

describe('packages/client/src/openapi.ts', () => {
  it('is what docs/openapi.json generates (run `npm run client`, or `npm run openapi` after changing a route)', async () => {
    const checkedIn = await readFile(CLIENT_TYPES_PATH, 'utf8').catch(() => '');
    expect(checkedIn, 'packages/client/src/openapi.ts is stale: run `npm run client`').toBe(await renderClientTypes());
  });
});
