import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { isDatabaseUnavailable } from './availability';
import { openPostgres, type Database } from './database';
import { createPostgresDatabase, TEST_DB } from '../../testing/test-database';

describe('isDatabaseUnavailable', () => {
  it('tells an unreachable or saturated database from a refused statement', () => {
    expect(isDatabaseUnavailable({ code: '08006' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '57P01' })).toBe(true);
    expect(isDatabaseUnavailable({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable({ code: '22P02', message: 'invalid input syntax for type integer' })).toBe(false);
    expect(isDatabaseUnavailable({ code: '23505' })).toBe(false);
    expect(isDatabaseUnavailable(new Error('some bug'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe.runIf(TEST_DB === 'postgres')('a pool with every connection busy', () => {
  let pgdb: { url: string; drop(): Promise<void> };
  let database: Database;
  beforeAll(async () => {
    pgdb = await createPostgresDatabase();
    database = openPostgres(pgdb.url, 1);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await pgdb?.drop();
  });

  it('fails a query that waited past the pool timeout as "unavailable" (503 with Retry-After), not as a bug (500)', async () => {
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const taken = new Promise<void>((r) => (holding = r));
    // The pool's only connection, held until the waiting query has failed.
    const holder = database.db.connection().execute(async (c) => {
      await sql`select 1`.execute(c);
      holding();
      await held;
    });
    await taken;
    const waited = await sql`select 1`.execute(database.db).then(
      () => undefined,
      (err: unknown) => err,
    );
    release();
    await holder;
    expect(waited).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(waited)).toBe(true);
  }, 60_000);
});
