#!/usr/bin/env node
// Builds the publishable client into dist/ (or `--outdir DIR`): index.js (ESM, openapi-fetch left
// as a dependency), its declarations (the generated OpenAPI types among them) with relative imports
// given their `.js` so every TypeScript module resolution finds them, and the package.json to publish from dist/.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { outdir: { type: 'string' } } });
const here = new URL('.', import.meta.url).pathname;
const dist = args.outdir ? resolve(args.outdir) : `${here}dist`;
rmSync(dist, { recursive: true, force: true });

await build({
  entryPoints: [`${here}src/index.ts`],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['openapi-fetch'],
  sourcemap: true,
  legalComments: 'none',
  outfile: `${dist}/index.js`,
  logLevel: 'warning',
});
execFileSync('npx', ['tsc', '-p', `${here}tsconfig.build.json`, '--outDir', `${dist}/types`], { stdio: 'inherit', cwd: here });
for (const name of readdirSync(`${dist}/types`)) {
  if (!name.endsWith('.d.ts')) continue;
  const file = `${dist}/types/${name}`;
  writeFileSync(file, readFileSync(file, 'utf8').replace(/from '(\.\/[^'.]+)'/g, "from '$1.js'"));
}

const pkg = JSON.parse(readFileSync(`${here}package.json`, 'utf8'));
writeFileSync(
  `${dist}/package.json`,
  JSON.stringify(
    {
      name: pkg.name,
      version: pkg.version,
      description: pkg.description,
      type: 'module',
      exports: { '.': { types: './types/index.d.ts', import: './index.js' } },
      types: './types/index.d.ts',
      sideEffects: false,
      dependencies: pkg.dependencies,
    },
    null,
    2,
  ) + '\n',
);
writeFileSync(`${dist}/README.md`, readFileSync(`${here}README.md`));
console.log(`built ${pkg.name}@${pkg.version} into ${dist}`);
