import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

/**
 * The house rules on imports (CONVENTIONS.md 1 and 2), checked on every file:
 * - the package graph points one way: schema ← analysis, replay, recorder, simulator ← server, web, cli;
 * - packages are imported by their root (or a subpath their package.json exports), never deeply,
 *   and never through a relative path into another package;
 * - every workspace package a file imports is declared in its package.json (tests may use devDependencies);
 * - the recorder takes only types from @veritas/schema (its runtime comes from @veritas/schema/chain);
 * - no `export *`.
 */
const root = resolve(import.meta.dirname, '..');

const ALLOWED: Record<string, string[]> = {
  '@veritas/schema': [],
  '@veritas/analysis': ['@veritas/schema'],
  '@veritas/replay': ['@veritas/schema'],
  '@veritas/recorder': ['@veritas/schema'],
  '@veritas/simulator': ['@veritas/schema'],
  '@veritas/server': ['@veritas/schema', '@veritas/analysis', '@veritas/replay'],
  '@veritas/web': ['@veritas/schema', '@veritas/analysis', '@veritas/replay', '@veritas/recorder'],
  veritas: ['@veritas/schema', '@veritas/analysis', '@veritas/replay', '@veritas/server', '@veritas/simulator'],
};

interface Pkg {
  name: string;
  dir: string;
  deps: Set<string>;
  devDeps: Set<string>;
  exports: Set<string>;
}

const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces as string[]).map((w): Pkg => {
  const dir = join(root, w);
  const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return {
    name: pj.name,
    dir,
    deps: new Set(Object.keys(pj.dependencies ?? {})),
    devDeps: new Set(Object.keys(pj.devDependencies ?? {})),
    exports: new Set(Object.keys(pj.exports ?? { '.': '' })),
  };
});
const byName = new Map(workspaces.map((p) => [p.name, p]));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    if (f === 'node_modules' || f === 'dist') return [];
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mjs)$/.test(f) ? [p] : [];
  });
}

const isTestFile = (f: string) => /\.test\.tsx?$|[\\/](testing|test)[\\/]|browser-harness\.ts$/.test(f);
const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function violations(): string[] {
  const out: string[] = [];
  for (const pkg of workspaces) {
    for (const file of files(pkg.dir)) {
      const src = readFileSync(file, 'utf8');
      const where = relative(root, file);
      const test = isTestFile(file);
      if (/^\s*export\s+\*\s+from/m.test(src)) out.push(`${where}: export * (name what you export)`);
      for (const m of src.matchAll(IMPORT)) {
        const spec = m[3] ?? m[4]!;
        const typeOnly = Boolean(m[2]);
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          const inside = target.startsWith(pkg.dir + '/') || target === pkg.dir;
          const testSupport = test && target.startsWith(join(root, 'scripts/test-support'));
          if (!inside && !testSupport) out.push(`${where}: relative import leaves the package: ${spec}`);
          continue;
        }
        const wm = /^(@veritas\/[a-z-]+|veritas)(\/.*)?$/.exec(spec);
        if (!wm) continue;
        const [, target, sub] = wm as unknown as [string, string, string | undefined];
        const targetPkg = byName.get(target);
        if (!targetPkg) {
          out.push(`${where}: unknown workspace package ${target}`);
          continue;
        }
        if (sub && !targetPkg.exports.has(`.${sub}`)) out.push(`${where}: deep import ${spec} (import the package root or an exported subpath)`);
        if (!pkg.deps.has(target) && !(test && pkg.devDeps.has(target))) out.push(`${where}: imports ${target}, not declared in ${pkg.name}'s package.json`);
        if (!test && !ALLOWED[pkg.name]!.includes(target)) out.push(`${where}: ${pkg.name} may not depend on ${target} (the graph points one way)`);
        if (!test && pkg.name === '@veritas/recorder' && target === '@veritas/schema' && !sub && !typeOnly) {
          out.push(`${where}: the recorder takes only types from @veritas/schema (runtime from @veritas/schema/chain)`);
        }
      }
    }
  }
  return out;
}

describe('package graph', () => {
  it('follows the house rules on imports', () => {
    expect(violations()).toEqual([]);
  });

  it('knows every workspace package', () => {
    for (const p of workspaces) expect(Object.keys(ALLOWED), p.name).toContain(p.name);
  });
});
