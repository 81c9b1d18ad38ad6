import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { preparedMark, preparedNameOf } from './prepared-statements';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../../testing/test-database';

describe('preparedNameOf', () => {
  it('names a marked text by its mark and a digest of the whole text; leading white space is allowed', () => {
    const a = preparedNameOf('/* prepared:student-page */ select 1');
    const b = preparedNameOf('\n    /* prepared:student-page */ select 2');
    expect(a).toMatch(/^student-page-[0-9a-f]{16}$/);
    expect(b).toMatch(/^student-page-[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
    expect(preparedNameOf('/* prepared:student-page */ select 1')).toBe(a);
  });

  it('leaves every other text unnamed', () => {
    expect(preparedNameOf('select 1')).toBeUndefined();
    expect(preparedNameOf('select 1 /* prepared:x */')).toBeUndefined();
    expect(preparedNameOf('/* prepared:unterminated')).toBeUndefined();
    expect(preparedNameOf('')).toBeUndefined();
  });

  it('refuses a mark name that could break out of the comment', () => {
    expect(() => preparedMark('x */ drop table users; /*')).toThrow();
    expect(() => preparedMark('')).toThrow();
  });
});

describe.runIf(TEST_DB === 'postgres')('marked statements on PostgreSQL', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  }, 60_000);
  afterAll(() => t?.drop());

  it('keeps a marked statement prepared on its connection, once, with its parameters; unmarked ones are not', async () => {
    const prepared = await t.database.db.connection().execute(async (c) => {
      for (const n of [1, 2, 3]) {
        const r = await sql<{ n: number }>`${preparedMark('test-echo')}select ${n}::int as n`.execute(c);
        expect(r.rows).toEqual([{ n }]);
      }
      // The same mark on another text gets a name of its own instead of pg's "must be unique" error.
      expect((await sql<{ n: number }>`${preparedMark('test-echo')}select ${7}::int + 1 as n`.execute(c)).rows).toEqual([{ n: 8 }]);
      await sql`select ${4}::int as unmarked`.execute(c);
      return (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements order by name`.execute(c)).rows;
    });
    expect(prepared.map((p) => p.name.replace(/[0-9a-f]{16}$/, ''))).toEqual(['test-echo-', 'test-echo-']);
    expect(prepared.every((p) => p.statement.includes('prepared:test-echo'))).toBe(true);
    expect(prepared.some((p) => p.statement.includes('unmarked'))).toBe(false);
  });

  it('a marked statement the database refuses fails its transaction only: the same statement runs again after it', async () => {
    const failing = (v: string) => sql<{ n: number }>`${preparedMark('test-refused')}select ${v}::integer as n`;
    await expect(t.database.db.transaction().execute(async (tx) => failing('not a number').execute(tx))).rejects.toMatchObject({ code: '22P02' });
    for (let i = 0; i < 6; i++) {
      const { rows } = await t.database.db.transaction().execute(async (tx) => failing(String(i)).execute(tx));
      expect(rows).toEqual([{ n: i }]);
    }
  });
});
