import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';

/**
 * Every installed package must accept the Node this project supports (package.json engines, 20.19):
 * a dependency that wants a newer Node may work today and break on its next patch.
 */
const root = resolve(import.meta.dirname, '..');
const supported = semver.minVersion(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node)!.version;

function installed(dir: string, out: { name: string; version: string; node: string }[] = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (name.startsWith('@')) {
      installed(p, out);
      continue;
    }
    const pj = join(p, 'package.json');
    if (!existsSync(pj)) continue;
    const j = JSON.parse(readFileSync(pj, 'utf8'));
    if (typeof j.engines?.node === 'string') out.push({ name: j.name, version: j.version, node: j.engines.node });
    installed(join(p, 'node_modules'), out);
  }
  return out;
}

describe('dependencies', () => {
  it(`all accept Node ${supported}`, () => {
    const refusing = installed(join(root, 'node_modules')).filter((p) => !semver.satisfies(supported, p.node));
    expect(refusing.map((p) => `${p.name}@${p.version} wants node ${p.node}`)).toEqual([]);
  });
});
