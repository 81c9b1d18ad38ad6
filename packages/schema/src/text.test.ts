import { describe, expect, it } from 'vitest';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import Ajv from 'ajv';
import { canonicalJson } from './canonical';
import { isStorableText, jsonValueIssue, Text, TextRecord, Timestamp } from './text';
import './validate'; // registers the date-time format with TypeBox

const storable = ['', 'plain', 'émoji 😀 and 中文', '😀'.repeat(1000), 'x'.repeat(1_000_000)];
const refused = ['\u0000', 'a\u0000b', '\ud800', 'a\udc00', 'end\ud83d', '\ude00start'];

describe('storable text: one rule for TypeBox and Ajv', () => {
  const typebox = TypeCompiler.Compile(Text());
  const ajv = new Ajv({ strict: false }).compile(Text());
  it.each(storable.map((s) => [s.slice(0, 20), s]))('accepts %j', (_, s) => {
    expect(isStorableText(s)).toBe(true);
    expect(typebox.Check(s)).toBe(true);
    expect(ajv(s)).toBe(true);
  });
  it.each(refused.map((s) => [s]))('refuses %j', (s) => {
    expect(isStorableText(s)).toBe(false);
    expect(typebox.Check(s)).toBe(false);
    expect(ajv(s)).toBe(false);
  });
  it('checks record keys (length and text) in both validators', () => {
    const rec = TextRecord(4, Text());
    const tb = TypeCompiler.Compile(rec);
    const av = new Ajv({ strict: false }).compile(rec);
    for (const [value, ok] of [
      [{ abcd: 'x' }, true],
      [{ abcde: 'x' }, false],
      [{ 'a\u0000': 'x' }, false],
      [{ a: '\ud800' }, false],
    ] as const) {
      expect(tb.Check(value)).toBe(ok);
      expect(av(value)).toBe(ok);
    }
  });
  it('bounds dates to what PostgreSQL stores and a recording can have', () => {
    const tb = TypeCompiler.Compile(Timestamp());
    expect(tb.Check('2026-01-01T00:00:00Z')).toBe(true);
    expect(tb.Check('0000-01-01T00:00:00Z')).toBe(false);
    expect(tb.Check('1969-12-31T23:59:59Z')).toBe(false);
  });
});

describe('free-form JSON values', () => {
  it('refuses depth past the bound without recursing, naming the path', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(jsonValueIssue(v, 32)).toEqual({ path: '/0'.repeat(32), message: 'nested deeper than 32 levels' });
    expect(jsonValueIssue({ a: [{ 'b/c': 'x\u0000' }] }, 32)).toEqual({ path: '/a/0/b~1c', message: 'must not contain U+0000 or a lone surrogate' });
    expect(jsonValueIssue({ a: { '\ud800': 1 } }, 32)?.path).toBe('/a/\ud800');
    expect(jsonValueIssue({ a: [1, 'ok', null, { b: true }] }, 32)).toBeNull();
  });
  it('canonicalJson refuses input too deep for the stack with a TypeError, not a stack overflow', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = { k: v };
    expect(() => canonicalJson(v)).toThrow(TypeError);
  });
});
