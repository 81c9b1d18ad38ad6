import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ALLOWED from './package-graph.json' with { type: 'json' };

/**
 * The house rules on imports (docs/architecture.md, "Packages"), checked on source text:
 * - the package graph points one way (package-graph.json: what each package may depend on);
 * - packages are imported by their root (or a subpath their package.json exports), never deeply,
 *   and never through a relative path into another package;
 * - every workspace package a file imports is declared in its package.json (tests may use devDependencies);
 * - the recorder takes only types from @veritas/schema (its runtime comes from @veritas/schema/chain);
 * - no `export *`.
 * eslint.config.js states the same rules for the editor and `npm run lint`; this checker also sees
 * dynamic imports and package.json declarations, which ESLint's import rules do not.
 */
export const root = resolve(import.meta.dirname, '..');
export const allowed: Record<string, readonly string[]> = ALLOWED;

export interface Workspace {
  name: string;
  dir: string;
  deps: Set<string>;
  devDeps: Set<string>;
  exports: Set<string>;
}

export const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces as string[]).map((w): Workspace => {
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

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    if (f === 'node_modules' || f === 'dist') return [];
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|tsx|mjs)$/.test(f) ? [p] : [];
  });
}

/** Every source file of every workspace package. */
export function workspaceFiles(): string[] {
  return workspaces.flatMap((w) => sourceFiles(w.dir));
}

const isTestFile = (f: string) => /\.test\.tsx?$|[\\/](testing|test)[\\/]|browser-harness\.ts$/.test(f);
const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/**
 * The import-rule violations in the given files (absolute paths inside a workspace package), read with
 * `readSource` (a test passes source text for files that need not exist).
 */
export function importViolations(files: readonly string[] = workspaceFiles(), readSource = (file: string) => readFileSync(file, 'utf8')): string[] {
  const out: string[] = [];
  for (const file of files) {
    const pkg = workspaces.find((w) => file.startsWith(w.dir + '/'));
    if (!pkg) {
      out.push(`${relative(root, file)}: not inside a workspace package`);
      continue;
    }
    const src = readSource(file);
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
      if (!test && !allowed[pkg.name]!.includes(target)) out.push(`${where}: ${pkg.name} may not depend on ${target} (the graph points one way)`);
      if (!test && pkg.name === '@veritas/recorder' && target === '@veritas/schema' && !sub && !typeOnly) {
        out.push(`${where}: the recorder takes only types from @veritas/schema (runtime from @veritas/schema/chain)`);
      }
    }
  }
  return out;
}
