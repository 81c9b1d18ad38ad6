import { describe, expect, it } from 'vitest';
import { allowed, importViolations, workspaces } from './package-graph';

describe('package graph', () => {
  it('follows the house rules on imports', () => {
    expect(importViolations()).toEqual([]);
  });

  it('knows every workspace package', () => {
    for (const p of workspaces) expect(Object.keys(allowed), p.name).toContain(p.name);
  });
});
