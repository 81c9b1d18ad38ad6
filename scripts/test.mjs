#!/usr/bin/env node
// The whole suite: typecheck, lint and format check, then Vitest on the embedded default (PGlite, no other service), then
// again against PostgreSQL + Redis when they are reachable (CI insists on both).
// Ends with one plain line: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const tmp = join(root, '.tmp');
mkdirSync(tmp, { recursive: true });
const pgUrl = process.env.VERITAS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.VERITAS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const extraArgs = process.argv.slice(2);
const only = process.env.VERITAS_TEST_ONLY; // 'embedded' | 'postgres'

let passed = 0;
let failed = 0;
let skipped = 0;

function step(name, cmd, args, env = {}) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, TZ: 'UTC', ...env } });
  return r.status ?? 1;
}

// Each static check counts as one test: typecheck (every project, scripts/typecheck.mjs), lint
// (ESLint: import layers, pure-core globals), format (Prettier) and the recorder SDK's build.
for (const [name, cmd, args] of [
  ['typecheck', 'node', ['scripts/typecheck.mjs']],
  ['lint', 'npx', ['eslint', '.']],
  ['format', 'npx', ['prettier', '--check', '.']],
  // The recorder's browser build that the server serves at /sdk (tests that need it build their own copy too).
  ['recorder SDK build', 'node', ['packages/recorder/build.mjs']],
]) {
  if (step(name, cmd, args) === 0) passed++;
  else failed++;
}

function vitestRun(label, env) {
  const out = join(tmp, `vitest-${label}.json`);
  rmSync(out, { force: true });
  const status = step(`tests: ${label}`, 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extraArgs], env);
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    // A file that failed to load has no failed test in the count: count it as one failure.
    const broken = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
    failed += broken;
    if (status !== 0 && report.numFailedTests === 0 && broken === 0) failed++;
  } catch {
    console.error(`no report from the ${label} run`);
    failed++;
  }
}

if (only !== 'postgres') vitestRun('embedded', { VERITAS_TEST_DB: 'pglite', VERITAS_TEST_HUB: 'memory' });
if (only !== 'embedded') {
  vitestRun('postgres+redis', { VERITAS_TEST_DB: 'postgres', VERITAS_TEST_HUB: 'redis', VERITAS_TEST_DATABASE_URL: pgUrl, VERITAS_TEST_REDIS_URL: redisUrl });
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
