import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../../testing/test-database';
import { createToolKeys } from './tool-keys';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
}, 60_000);
afterAll(() => t?.drop());

describe(`the tool's keys (${TEST_DB})`, () => {
  it('makes one key when several callers need the first at once, and signs with the key it publishes', async () => {
    const keys = createToolKeys(t.database);
    const now = new Date();
    const [jwks, ...signed] = await Promise.all([
      keys.jwks(),
      keys.sign({ iss: 'a' }, { expiresInS: 60, now }),
      keys.sign({ iss: 'b' }, { expiresInS: 60, now }),
      keys.jwks(),
    ]);
    const rows = await t.database.db.selectFrom('lti_tool_keys').select('kid').execute();
    expect(rows).toHaveLength(1);
    expect(jwks.keys.map((k) => k.kid)).toEqual([rows[0]!.kid]);
    for (const s of signed.slice(0, 2)) expect(decodeProtectedHeader(s as string).kid).toBe(rows[0]!.kid);
    // Another instance (a second ToolKeys on the same database) reads the same key instead of making one.
    expect((await createToolKeys(t.database).jwks()).keys.map((k) => k.kid)).toEqual([rows[0]!.kid]);
  });
});
