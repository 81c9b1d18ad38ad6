// @ts-check
// Lint encodes the house rules a reviewer would otherwise check by habit (docs/adr/0010-lint-rules.md):
// the one-way package graph and root-only imports, the server's folder layers, and a pure core with no
// clock, randomness, timers or I/O. The rules are ESLint's own (no-restricted-imports, -globals,
// -properties, -syntax), generated per folder below, because flat config lets the last matching block
// set a rule: each block carries every pattern its files must obey.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const readJson = (/** @type {string} */ p) => JSON.parse(readFileSync(join(root, p), 'utf8'));
/** @type {Record<string, string[]>} */
const ALLOWED = readJson('scripts/package-graph.json');

const SOURCE = '*.{ts,tsx,mts,js,mjs}';
const TESTS = ['**/*.test.ts', '**/*.test.tsx', '**/testing/**', '**/test/**', '**/browser-harness.ts'];
/** Deepest folder nesting the generated per-depth blocks cover (a file deeper than this is not checked for relative escapes). */
const MAX_DEPTH = 8;

/** @type {{ dir: string, name: string, exports: string[] }[]} */
const workspaces = readJson('package.json').workspaces.map((/** @type {string} */ dir) => {
  const pj = readJson(`${dir}/package.json`);
  return { dir, name: pj.name, exports: Object.keys(pj.exports ?? { '.': '' }) };
});
const PURE = ['packages/schema', 'packages/analysis', 'packages/replay', 'packages/simulator'];
const SERVER_SRC = 'apps/server/src';

/** Files exactly `depth` folders below `dir`. */
const atDepth = (/** @type {string} */ dir, /** @type {number} */ depth) => `${dir}/${'*/'.repeat(depth)}${SOURCE}`;
const up = (/** @type {number} */ n) => '(\\.\\./)'.repeat(n);
const escape = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

// ---------------------------------------------------------------------------------------------
// 1. Packages (@typescript-eslint/no-restricted-imports, which can allow type-only imports):
//    the graph points one way, packages are imported by their root or an exported subpath.
// ---------------------------------------------------------------------------------------------
const exportedSubpaths = workspaces.flatMap((w) => w.exports.filter((e) => e !== '.').map((e) => `${w.name}${e.slice(1)}`));
const deepImport = {
  regex: `^(?!(${exportedSubpaths.map(escape).join('|')})$)(@veritas/[a-z-]+|veritas)/.+`,
  message: 'Import a package by its root (or a subpath its package.json exports), never deeply.',
};
const NO_IO = 'The pure core does no I/O: take what you need as an argument.';
const nodeBuiltinNames = builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message: NO_IO }));
const nodeBuiltins = { regex: '^node:', message: NO_IO };

function packageBlocks() {
  return workspaces.flatMap((w) => {
    const forbidden = workspaces.map((o) => o.name).filter((n) => n !== w.name && !ALLOWED[w.name]?.includes(n));
    const upward = forbidden.length
      ? [
          {
            group: forbidden.flatMap((n) => [n, `${n}/*`]),
            message: `The package graph points one way: ${w.name} may depend only on ${ALLOWED[w.name]?.join(', ') || 'nothing in the workspace'} (scripts/package-graph.json).`,
          },
        ]
      : [];
    const pure = PURE.includes(w.dir) ? [nodeBuiltins] : [];
    const pureNames = PURE.includes(w.dir) ? nodeBuiltinNames : [];
    const recorderTypesOnly =
      w.name === '@veritas/recorder'
        ? [
            {
              name: '@veritas/schema',
              allowTypeImports: true,
              message: 'The recorder takes only types from @veritas/schema; its runtime comes from @veritas/schema/chain (no validator ships in the SDK).',
            },
          ]
        : [];
    return [
      // Tests may import what their package.json lists as devDependencies (scripts/package-graph.test.ts checks the declarations).
      {
        name: `veritas/package:${w.name}:tests`,
        files: [`${w.dir}/**/${SOURCE}`],
        rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [deepImport] }] },
      },
      {
        name: `veritas/package:${w.name}`,
        files: [`${w.dir}/**/${SOURCE}`],
        ignores: TESTS,
        rules: {
          '@typescript-eslint/no-restricted-imports': ['error', { paths: [...recorderTypesOnly, ...pureNames], patterns: [deepImport, ...upward, ...pure] }],
        },
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// 2. Relative paths (no-restricted-imports, by a file's depth): no relative import leaves its
//    package, and the server's folders keep their layers.
// ---------------------------------------------------------------------------------------------
const leavesPackage = (/** @type {number} */ depth) => ({
  // Tests may reach the shared browser helpers in scripts/test-support.
  regex: `^${up(depth + 1)}(?!(\\.\\./)*scripts/test-support/)`,
  message: 'A relative import may not leave its package: import the other package by its name.',
});

/**
 * The server's folders (issue 9). `k` is how many folders below the layer's own folder a file is;
 * `toSrc` is the relative prefix from such a file back to apps/server/src.
 * @type {Record<string, (toSrc: string, k: number) => { regex?: string, group?: string[], message: string }[]>}
 */
const SERVER_LAYERS = {
  config: (toSrc) => [{ regex: `^${toSrc}(?!kernel(/|$))`, message: 'config/ imports kernel/ only.' }],
  kernel: (toSrc) => [
    { regex: `^${toSrc}`, message: 'kernel/ imports nothing from the rest of the server: it is the vocabulary everything else uses.' },
    {
      group: ['fastify', 'fastify/*', '@fastify/*', 'kysely', 'pg', 'pg-boss', 'ioredis', '@electric-sql/*', 'pino'],
      message: 'kernel/ holds no framework or driver: those live in platform/ and http/.',
    },
  ],
  platform: (toSrc) => [{ regex: `^${toSrc}(?!(kernel|config|platform)(/|$))`, message: 'platform/ (ports and drivers) imports kernel/ and config/ only.' }],
  modules: (toSrc, k) => [
    {
      regex: `^${toSrc}(?!(kernel|platform|config|modules)(/|$)|http/route-(kit|deps)$)`,
      message: "modules/ import kernel/, config/, platform/, other modules and the shell's leaf (http/route-kit, http/route-deps) only.",
    },
    { regex: `^${toSrc}modules/[^/]+/(?!index$)`, message: 'Import another module through its index.ts only.' },
    ...(k >= 1 ? [{ regex: `^${up(k)}[^./][^/]*/(?!index$)`, message: 'Import another module through its index.ts only.' }] : []),
  ],
  http: (toSrc) => [
    {
      regex: `^${toSrc}(?!(kernel|platform|config|modules)(/|$))`,
      message: 'http/ imports kernel/, platform/, config/ and modules (their routes or index) only.',
    },
    { regex: `^${toSrc}modules/[^/]+/(?!index$|[^/]+\\.routes$)`, message: "http/ takes a module's routes (or its index), nothing deeper." },
  ],
  jobs: (toSrc) => [
    { regex: `^${toSrc}(http|roles)(/|$)`, message: 'jobs/ binds job names to module handlers; it does not import http/ or roles/.' },
    { regex: `^${toSrc}modules/[^/]+/(?!index$)`, message: 'Import a module through its index.ts only.' },
  ],
  // roles/ is the composition root: it may import every layer.
};

function relativeBlocks() {
  const blocks = [];
  for (const w of workspaces) {
    const base = w.dir.split('/').length;
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      blocks.push({
        name: `veritas/relative:${w.dir}:${depth}`,
        files: [atDepth(w.dir, depth)],
        rules: { 'no-restricted-imports': ['error', { patterns: [leavesPackage(depth)] }] },
      });
    }
    if (w.dir !== 'apps/server') continue;
    for (const [layer, rulesFor] of Object.entries(SERVER_LAYERS)) {
      const layerDir = `${SERVER_SRC}/${layer}`;
      const layerDepth = layerDir.split('/').length - base;
      for (let k = 0; k + layerDepth <= MAX_DEPTH; k++) {
        blocks.push({
          name: `veritas/server-layer:${layer}:${k}`,
          files: [atDepth(layerDir, k)],
          ignores: TESTS,
          rules: { 'no-restricted-imports': ['error', { patterns: [leavesPackage(layerDepth + k), ...rulesFor(up(k + 1), k)] }] },
        });
      }
    }
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// 3. The pure core: deterministic folds over events. Clocks and randomness are passed in; no timers,
//    no network, no process, no host objects.
// ---------------------------------------------------------------------------------------------
const PURE_GLOBALS = [
  ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'requestAnimationFrame'].map(
    (name) => ({
      name,
      message: 'No timers in the pure core: it folds events; the caller owns time.',
    }),
  ),
  ...['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'indexedDB', 'localStorage', 'sessionStorage'].map((name) => ({
    name,
    message: 'No I/O in the pure core.',
  })),
  ...['process', 'Buffer', 'require', 'window', 'document', 'navigator', 'performance'].map((name) => ({
    name,
    message: 'The pure core runs anywhere: no host objects (pass in what you need).',
  })),
  ...['crypto', 'TextEncoder', 'TextDecoder', 'globalThis'].map((name) => ({
    name,
    message: 'Host capabilities reach the core through packages/schema/src/web-crypto.ts only.',
  })),
];
const PURE_PROPERTIES = [
  { object: 'Date', property: 'now', message: 'Take the time as an argument (a clock passed in), so the fold is deterministic.' },
  { object: 'Math', property: 'random', message: 'Take randomness as an argument (a seeded PRNG), so the fold is deterministic.' },
  { object: 'performance', property: 'now', message: 'Take the time as an argument.' },
];
const NO_EXPORT_ALL = { selector: 'ExportAllDeclaration', message: "Name what you export (no `export *`): a package's surface is read in its index." };
const PURE_SYNTAX = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: '`new Date()` reads the clock: take the time as an argument.' },
  { selector: "CallExpression[callee.name='Date']", message: '`Date()` reads the clock: take the time as an argument.' },
];
const SQL_OUTSIDE_REPOSITORIES = {
  selector: "ImportDeclaration[source.value='kysely'] > ImportSpecifier[imported.name='sql']",
  message: 'Repositories own SQL: put the query in a *.repository.ts (or the db platform) and call it.',
};

export default defineConfig(
  { name: 'veritas/ignores', ignores: ['**/node_modules/', '**/dist/', '.tmp/', '.veritas-data/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'veritas/unused',
    // A leading underscore marks a value left out on purpose (a destructured field dropped from a copy).
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    name: 'veritas/scripts-run-on-node',
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    name: 'veritas/everywhere',
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: { 'no-restricted-syntax': ['error', NO_EXPORT_ALL] },
  },
  ...packageBlocks(),
  ...relativeBlocks(),
  {
    name: 'veritas/pure-core',
    files: PURE.map((d) => `${d}/**/${SOURCE}`),
    ignores: TESTS,
    rules: {
      'no-restricted-globals': ['error', ...PURE_GLOBALS],
      'no-restricted-properties': ['error', ...PURE_PROPERTIES],
      'no-restricted-syntax': ['error', NO_EXPORT_ALL, ...PURE_SYNTAX],
    },
  },
  {
    // The one file where the core meets the host: it reads Web Crypto and TextEncoder from globalThis.
    name: 'veritas/pure-core:web-crypto',
    files: ['packages/schema/src/web-crypto.ts'],
    rules: { 'no-restricted-globals': ['error', ...PURE_GLOBALS.filter((g) => !['crypto', 'TextEncoder', 'globalThis'].includes(g.name))] },
  },
  {
    name: 'veritas/server:one-config-module',
    files: [`${SERVER_SRC}/**/${SOURCE}`],
    ignores: [...TESTS, `${SERVER_SRC}/config.ts`, `${SERVER_SRC}/config/**`],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only the config module reads the environment: take the setting from config.' },
      ],
    },
  },
  {
    name: 'veritas/server:repositories-own-sql',
    files: [`${SERVER_SRC}/**/${SOURCE}`],
    ignores: [...TESTS, '**/*.repository.ts', `${SERVER_SRC}/repositories/**`, `${SERVER_SRC}/db/**`, `${SERVER_SRC}/platform/db/**`],
    rules: { 'no-restricted-syntax': ['error', NO_EXPORT_ALL, SQL_OUTSIDE_REPOSITORIES] },
  },
);
