import { createHash } from 'node:crypto';
import pg from 'pg';
import { sql, type RawBuilder } from 'kysely';

/**
 * Named prepared statements for the few hot reads that are planned more than they run.
 *
 * Kysely sends every statement unnamed, so PostgreSQL parses and plans it again each time. For the
 * student's dashboard, measured on the bench's database (ADR 0018), planning took 0.6–1.1 ms and
 * running 0.3 ms; once prepared, PostgreSQL switches to its generic plan after five runs and plans
 * in 0.01 ms. A statement opts in by starting with `preparedMark(name)`; the pool's clients give
 * it a name (the mark's name and a digest of its text, so two texts never share a name) and pg keeps
 * it prepared on that connection. Everything else stays unnamed, so the per-connection cache holds
 * only the marked statements' few texts. PGlite ignores the mark (it is a comment).
 */
const MARK = '/* prepared:';

/** The comment a statement starts with to be kept prepared: `sql\`${preparedMark('x')}select …\``. */
export function preparedMark(name: string): RawBuilder<unknown> {
  if (!/^[a-z0-9-]{1,40}$/.test(name)) throw new Error(`prepared statement name ${name}: lower-case letters, digits and dashes only`);
  return sql.raw(`${MARK}${name} */ `);
}

/** The name pg prepares a marked text under, or undefined for a text without the mark. */
export function preparedNameOf(text: string): string | undefined {
  const at = text.search(/\S/);
  if (at < 0 || !text.startsWith(MARK, at)) return undefined;
  const end = text.indexOf(' */', at + MARK.length);
  if (end < 0) return undefined;
  return `${text.slice(at + MARK.length, end)}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** A pg client that sends marked statements as named prepared statements (pg.Pool's `Client` option). */
export class PreparingClient extends pg.Client {
  // pg's query has many overloads; Kysely calls query(text, values) and expects a promise.
  override query(...args: unknown[]): never {
    const [config, values] = args;
    const name = typeof config === 'string' ? preparedNameOf(config) : undefined;
    const query = super.query as (...a: unknown[]) => never;
    if (name === undefined || args.length > 2) return query.apply(this, args);
    return query.call(this, { name, text: config, values });
  }
}
