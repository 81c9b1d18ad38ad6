import { Value } from '@sinclair/typebox/value';
import { Flag } from './analysis-result';

/**
 * Whether a value is a Flag as @veritas/schema defines it: how the viewer checks the flags it
 * loads from the server or a file. Value.Check interprets the schema (no code generation), so it
 * runs under a strict Content-Security-Policy.
 */
export function isFlag(x: unknown): x is Flag {
  return Value.Check(Flag, x);
}
