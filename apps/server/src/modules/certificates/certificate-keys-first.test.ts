import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../../testing/test-database';
import { createCertificateKeys } from './certificate-keys';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
}, 60_000);
afterAll(() => t?.drop());

describe(`the first generated certificate key (${TEST_DB})`, () => {
  it('is made once when two instances need it at the same moment, and both sign with it', async () => {
    // Two API instances issuing their first certificates at once, with no key file.
    const [a, b] = [createCertificateKeys(t.database), createCertificateKeys(t.database)];
    const [signedA, signedB] = await Promise.all([a.signing(), b.signing()]);
    const active = await t.database.db.selectFrom('certificate_keys').select('kid').where('retired_at', 'is', null).execute();
    expect(active.map((r) => r.kid)).toEqual([signedA.kid]);
    expect(signedB.kid).toBe(signedA.kid);
  });
});
