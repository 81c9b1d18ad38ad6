import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { ValueErrorIterator } from '@sinclair/typebox/errors';

/** What validation needs of a schema: a check and its errors. */
export interface Checker<T extends TSchema> {
  Check(value: unknown): value is Static<T>;
  Errors(value: unknown): ValueErrorIterator;
}

/**
 * A compiled checker where code generation is allowed, else TypeBox's interpreter: a page under a
 * Content-Security-Policy without 'unsafe-eval' (the web app) cannot run `new Function`, and a
 * checker compiled when the module loads would stop the whole page. Compiled on first use.
 */
export function checkerOf<T extends TSchema>(schema: T): Checker<T> {
  let checker: Checker<T> | undefined;
  const get = (): Checker<T> => {
    if (checker) return checker;
    try {
      checker = TypeCompiler.Compile(schema);
    } catch (err) {
      if (!(err instanceof EvalError)) throw err;
      checker = { Check: (v): v is Static<T> => Value.Check(schema, v), Errors: (v) => Value.Errors(schema, v) };
    }
    return checker;
  };
  return { Check: (v): v is Static<T> => get().Check(v), Errors: (v) => get().Errors(v) };
}
