import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The folder rules of apps/server/src as code (see each folder's README and docs/adr/0006), checked
 * by layout.test.ts over every source file. Tests and the test harness may reach anywhere.
 */
export interface SourceFile {
  /** Path relative to src/, with forward slashes. */
  path: string;
  text: string;
}

const ALLOWED: Record<string, (target: string, from: string) => boolean> = {
  config: (t) => t.startsWith('config/'),
  kernel: (t) => t.startsWith('kernel/'),
  platform: (t) => /^(kernel|config|platform)\//.test(t),
  modules: (t, from) => {
    if (/^(kernel|config|platform)\//.test(t)) return true;
    if (t === 'http/route-kit' || t === 'http/route-deps') return true;
    const own = from.split('/').slice(0, 2).join('/');
    if (t.startsWith(`${own}/`)) return true;
    // Another module only through its index; the composition root (modules/services.ts) sees all indexes.
    return /^modules\/[a-z-]+(\/index)?$/.test(t);
  },
  http: (t) => /^(kernel|config|platform|http)\//.test(t) || /^modules\/([a-z-]+(\/index)?|services)$/.test(t),
  jobs: (t) => /^(kernel|config|platform|jobs)\//.test(t) || /^modules\/([a-z-]+(\/index)?|services)$/.test(t),
  roles: () => true,
};

const SQL = /\bsql`|\.(selectFrom|insertInto|updateTable|deleteFrom)\(/;
const exempt = (path: string) => /\.test\.ts$|\.contract\.ts$/.test(path) || path.startsWith('testing/');

/** Every broken rule, as `file: what`. */
export function layoutViolations(files: SourceFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (exempt(f.path)) continue;
    const folder = f.path.split('/')[0]!;
    for (const m of f.text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = normalize(join(dirname(f.path), m[1]!)).replace(/\\/g, '/');
      const rule = ALLOWED[folder];
      if (rule && !rule(target, f.path)) out.push(`${f.path}: imports ${target}`);
      if (/\.routes\.ts$/.test(f.path) && (/\.repository$/.test(target) || target === 'platform/db/tables'))
        out.push(`${f.path}: a route imports rows (${target})`);
    }
    if (SQL.test(f.text) && !/\.repository\.ts$/.test(f.path) && !f.path.startsWith('platform/')) out.push(`${f.path}: builds SQL outside a repository`);
  }
  return out;
}

/** The server's source files. */
export function serverSources(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) files.push({ path: relative(root, p).replace(/\\/g, '/'), text: readFileSync(p, 'utf8') });
    }
  };
  walk(root);
  return files;
}
