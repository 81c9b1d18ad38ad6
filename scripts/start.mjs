#!/usr/bin/env node
// `npm start`: builds the web app and the recorder SDK when their sources are newer than their builds, then starts Veritas
// on its embedded default (PGlite in .veritas-data, jobs run in the same process) with demo data.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'apps/web');
const built = join(web, 'dist/index.html');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(join(web, 'src')), newest(join(root, 'packages')));
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  console.log('building the web app…');
  const r = spawnSync('npm', ['run', 'build', '-w', '@veritas/web', '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The recorder's browser build, served as /sdk/recorder.js: rebuilt when its sources (or the schema's) are newer.
const sdk = join(root, 'packages/recorder/dist/index.js');
const sdkSources = Math.max(newest(join(root, 'packages/recorder/src')), newest(join(root, 'packages/schema/src')));
if (!existsSync(sdk) || statSync(sdk).mtimeMs < sdkSources) {
  console.log('building the recorder SDK…');
  // The server serves index.js only: the declarations (and the schema's, since 0.1.1) are for publishing.
  const r = spawnSync(process.execPath, [join(root, 'packages/recorder/build.mjs'), '--js-only'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const child = spawn(process.execPath, [join(root, 'apps/cli/bin/veritas.mjs'), 'serve', '--demo', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
