import { afterEach, describe, expect, it, vi } from 'vitest';
import { Type } from '@sinclair/typebox';
import { checkerOf } from './checker';

const RealFunction = globalThis.Function;
/** What a page under a Content-Security-Policy without 'unsafe-eval' sees: code generation throws. */
function forbidCodeGeneration() {
  globalThis.Function = function () {
    throw new EvalError('Evaluating a string as JavaScript violates the Content Security Policy');
  } as unknown as FunctionConstructor;
}
afterEach(() => {
  globalThis.Function = RealFunction;
});

describe('validation under a CSP without unsafe-eval', () => {
  it('imports the validation module without generating code', async () => {
    vi.resetModules();
    forbidCodeGeneration();
    const validate = await import('./validate');
    expect(validate.parseBundle({ format: 'nope' }).ok).toBe(false);
  });

  it('checks with the interpreter when code generation is refused', () => {
    forbidCodeGeneration();
    const c = checkerOf(Type.Object({ n: Type.Integer({ minimum: 1 }) }));
    expect(c.Check({ n: 2 })).toBe(true);
    expect(c.Check({ n: 0 })).toBe(false);
    expect(c.Errors({ n: 0 }).First()?.path).toBe('/n');
  });
});
