#!/usr/bin/env node
// Type-checks every project, each with only the environment it runs in: the pure core with ES2023
// alone (no DOM, no Node), the browser code with DOM, the server, CLI, benchmarks and scripts with
// Node, and the root project (tests and harnesses) with both. Exits non-zero if any project fails.
import { spawnSync } from 'node:child_process';

export const PROJECTS = [
  'packages/schema',
  'packages/analysis',
  'packages/replay',
  'packages/simulator',
  'packages/recorder',
  'packages/client',
  'apps/web',
  'apps/server',
  'apps/cli',
  'bench',
  'scripts',
  '.',
];

const root = new URL('..', import.meta.url).pathname;
const failed = [];
for (const project of PROJECTS) {
  console.log(`tsc -p ${project}`);
  const r = spawnSync('npx', ['tsc', '-p', `${project}/tsconfig.json`, '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed.push(project);
}
if (failed.length) {
  console.error(`typecheck failed in: ${failed.join(', ')}`);
  process.exit(1);
}
