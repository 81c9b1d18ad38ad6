import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../../testing/test-database';
import { PREPARED } from './prepared-statements';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

const marked = (n: number, names: string[]) =>
  sql<{ n: number; names: string[] }>`${sql.raw(PREPARED)}select ${n}::integer + 1 as n, ${names}::text[] as names`;

describe('prepared statements (the PREPARED marker)', () => {
  it('a marked statement answers as an unmarked one would, call after call, with other parameters each time', async () => {
    for (const [n, names] of [
      [1, ['a']],
      [41, ['b', 'c', 'd']],
      [-3, []],
    ] as const) {
      const { rows } = await marked(n, [...names]).execute(t.database.db);
      expect(rows).toEqual([{ n: n + 1, names }]);
    }
  });

  it.runIf(TEST_DB === 'postgres')('on PostgreSQL, is prepared once on the connection, and an unmarked one is not', async () => {
    await t.database.db.transaction().execute(async (tx) => {
      await marked(1, ['x']).execute(tx);
      await marked(2, ['y']).execute(tx);
      await sql`select ${'unmarked'}::text as u`.execute(tx);
      const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(tx);
      const ours = rows.filter((r) => r.statement.includes('::text[] as names'));
      expect(ours).toHaveLength(1);
      expect(ours[0]!.name).toMatch(/^veritas_[0-9a-f]{20}$/);
      expect(rows.some((r) => r.statement.includes('as u'))).toBe(false);
    });
  });

  it('a marked statement the database refuses fails its transaction only: the same statement runs again after it', async () => {
    const failing = (v: string) => sql<{ n: number }>`${sql.raw(PREPARED)}select ${v}::integer as n`;
    await expect(t.database.db.transaction().execute(async (tx) => failing('not a number').execute(tx))).rejects.toMatchObject({ code: '22P02' });
    for (let i = 0; i < 6; i++) {
      const { rows } = await t.database.db.transaction().execute(async (tx) => failing(String(i)).execute(tx));
      expect(rows).toEqual([{ n: i }]);
    }
  });
});
