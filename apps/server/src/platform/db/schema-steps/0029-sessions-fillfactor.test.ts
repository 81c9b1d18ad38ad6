import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../testing/test-app';
import { TEST_DB } from '../../../testing/test-database';

/**
 * Every commit updates its session's row (its position in the chain). Schema step 0029 leaves room
 * on each page of `sessions` for those updates, so the first commits of sessions just created keep
 * their rows on their pages (HOT updates, no new entry in each of the table's indexes). Its effect
 * shows only under an exam's concurrent burst (bench/README.md, live: 29% of the first seconds'
 * updates were not HOT, 4.5% with it), which a test cannot reproduce on one connection; this checks
 * the setting is in force on both storages.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => t?.close());

describe(`the sessions table (${TEST_DB})`, () => {
  it('keeps 30% of each page free for its rows’ next versions', async () => {
    const { rows } = await sql<{ options: string[] | null }>`
      select reloptions as options from pg_class where relname = 'sessions' and relkind = 'r'`.execute(t.db.database.db);
    expect(rows).toEqual([{ options: ['fillfactor=70'] }]);
  });
});
