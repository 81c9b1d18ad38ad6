#!/usr/bin/env node
// Builds the publishable SDK into dist/ (or `--outdir DIR`): one minified ESM file (chain and
// canonical JSON included, no validator), its declarations (not with `--js-only`), and the
// package.json to publish from dist/. The Veritas server serves index.js as /sdk/recorder.js and
// /sdk/recorder@<version>.js; the build prints that file's SRI hash for the README's embed snippet.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { sdkOptions } from './build-options.mjs';

const { values: args } = parseArgs({ options: { outdir: { type: 'string' }, 'js-only': { type: 'boolean', default: false } } });
const here = new URL('.', import.meta.url).pathname;
const dist = args.outdir ? resolve(args.outdir) : `${here}dist`;
rmSync(dist, { recursive: true, force: true });

await build({
  ...sdkOptions,
  entryPoints: [`${here}src/index.ts`],
  sourcemap: true,
  outfile: `${dist}/index.js`,
  logLevel: 'warning',
});
if (!args['js-only']) {
  execFileSync('npx', ['tsc', '-p', `${here}tsconfig.build.json`, '--outDir', `${dist}/types`], { stdio: 'inherit', cwd: here });
  // The public types name @veritas/schema's (events, bundles), which is not published: its
  // declarations ship inside the package and the recorder's point at them; TypeBox stays a
  // dependency for them (types only, the runtime is bundled into index.js).
  const schemaDir = `${here}../schema`;
  execFileSync(
    'npx',
    ['tsc', '-p', `${schemaDir}/tsconfig.json`, '--noEmit', 'false', '--declaration', '--emitDeclarationOnly', '--outDir', `${dist}/types/schema`],
    {
      stdio: 'inherit',
      cwd: schemaDir,
    },
  );
  for (const name of readdirSync(`${dist}/types`)) {
    if (!name.endsWith('.d.ts')) continue;
    const file = `${dist}/types/${name}`;
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replaceAll("from '@veritas/schema'", "from './schema/index.js'")
        .replaceAll("from '@veritas/schema/chain'", "from './schema/chain-only.js'"),
    );
  }
}

const pkg = JSON.parse(readFileSync(`${here}package.json`, 'utf8'));
const schema = JSON.parse(readFileSync(`${here}../schema/package.json`, 'utf8'));
writeFileSync(
  `${dist}/package.json`,
  JSON.stringify(
    {
      name: pkg.name,
      version: pkg.version,
      description: 'Veritas recorder: captures a writing or assessment session in the browser and carries it to a Veritas server, or exports it as a bundle.',
      type: 'module',
      exports: { '.': { types: './types/index.d.ts', import: './index.js' } },
      types: './types/index.d.ts',
      sideEffects: false,
      // Types only: the runtime it needs is bundled into index.js, @veritas/schema's declarations are in types/schema.
      dependencies: { '@sinclair/typebox': schema.dependencies['@sinclair/typebox'] },
    },
    null,
    2,
  ) + '\n',
);
writeFileSync(`${dist}/README.md`, readFileSync(`${here}README.md`));
const js = readFileSync(`${dist}/index.js`);
const sri = `sha384-${createHash('sha384').update(js).digest('base64')}`;
console.log(`dist/index.js ${js.length} B minified, ${gzipSync(js, { level: 9 }).length} B gzip, ${sri} (/sdk/recorder@${pkg.version}.js)`);
