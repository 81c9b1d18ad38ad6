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

  it('makes one key when two instances need the first at the same moment, so each publishes the key the other signs with', async () => {
    const fresh = await createTestDatabase();
    try {
      // Two API instances behind one load balancer: the LMS may fetch the JWKS from either.
      const [a, b] = [createToolKeys(fresh.database), createToolKeys(fresh.database)];
      const now = new Date();
      const [signedByA, signedByB, jwksA, jwksB] = await Promise.all([
        a.sign({ iss: 'a' }, { expiresInS: 60, now }),
        b.sign({ iss: 'b' }, { expiresInS: 60, now }),
        a.jwks(),
        b.jwks(),
      ]);
      const rows = await fresh.database.db.selectFrom('lti_tool_keys').select('kid').execute();
      expect(rows).toHaveLength(1);
      const kid = rows[0]!.kid;
      expect([decodeProtectedHeader(signedByA).kid, decodeProtectedHeader(signedByB).kid]).toEqual([kid, kid]);
      expect([jwksA.keys.map((k) => k.kid), jwksB.keys.map((k) => k.kid)]).toEqual([[kid], [kid]]);
    } finally {
      await fresh.drop();
    }
  });
});
