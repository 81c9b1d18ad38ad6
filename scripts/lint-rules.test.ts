import { ESLint } from 'eslint';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importViolations, root } from './package-graph';

/**
 * The import and purity rules fail on the code they exist to stop (docs/adr/0010-lint-rules.md).
 * Each case lints source text as if it were a file at that path (nothing is written to the tree), with
 * the repository's own eslint.config.js; each forbidden case has an allowed neighbour, so a rule that
 * flags everything fails here too.
 */
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function lint(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  // The snippets import names they never use: that rule is not what these cases are about.
  return result!.messages.filter((m) => m.ruleId !== '@typescript-eslint/no-unused-vars').map((m) => `${m.ruleId}: ${m.message}`);
}

const graph = (path: string, code: string) => importViolations([join(root, path)], () => code);

describe('lint and the package-graph check on a deliberate upward import', () => {
  const upward = "import { buildApp } from '@veritas/server';\nexport const app = buildApp;\n";

  it('ESLint reports @veritas/server imported from packages/analysis', async () => {
    expect(await lint('packages/analysis/src/upward.ts', upward)).toEqual([
      expect.stringMatching(/no-restricted-imports: .*graph points one way: @veritas\/analysis/),
    ]);
  });

  it('the package-graph checker reports it too', () => {
    expect(graph('packages/analysis/src/upward.ts', upward)).toEqual([
      expect.stringContaining('imports @veritas/server, not declared'),
      expect.stringContaining('@veritas/analysis may not depend on @veritas/server'),
    ]);
  });

  it('both allow the edge the graph has (analysis → schema)', async () => {
    const down = "import { SESSION_FORMAT } from '@veritas/schema';\nexport const f = SESSION_FORMAT;\n";
    expect(await lint('packages/analysis/src/down.ts', down)).toEqual([]);
    expect(graph('packages/analysis/src/down.ts', down)).toEqual([]);
  });

  it('both report a relative import into another package', async () => {
    const code = "import { replay } from '../../replay/src/index';\nexport const r = replay;\n";
    expect(await lint('packages/analysis/src/sideways.ts', code)).toEqual([expect.stringMatching(/no-restricted-imports: .*may not leave its package/)]);
    expect(graph('packages/analysis/src/sideways.ts', code)).toEqual([expect.stringContaining('relative import leaves the package')]);
    expect(await lint('packages/analysis/src/inside.ts', "import { x } from './folds/x';\nexport const y = x;\n")).toEqual([]);
  });

  it('both report a deep import and allow an exported subpath', async () => {
    const deep = "import { x } from '@veritas/schema/src/hash';\nexport const y = x;\n";
    expect(await lint('packages/replay/src/deep.ts', deep)).toEqual([expect.stringMatching(/by its root/)]);
    expect(graph('packages/replay/src/deep.ts', deep)).toEqual([expect.stringContaining('deep import')]);
    expect(await lint('packages/recorder/src/chain.ts', "import { batchHash } from '@veritas/schema/chain';\nexport const h = batchHash;\n")).toEqual([]);
  });

  it('the recorder takes only types from @veritas/schema', async () => {
    expect(await lint('packages/recorder/src/v.ts', "import { validateBatch } from '@veritas/schema';\nexport const v = validateBatch;\n")).toEqual([
      expect.stringMatching(/takes only types/),
    ]);
    expect(await lint('packages/recorder/src/t.ts', "import type { Batch } from '@veritas/schema';\nexport type B = Batch;\n")).toEqual([]);
  });

  it('no export *', async () => {
    expect(await lint('apps/server/src/things.ts', "export * from './errors';\n")).toEqual([
      expect.stringMatching(/no-restricted-syntax: Name what you export/),
    ]);
  });
});

describe('the pure core has no clock, randomness, timers or I/O', () => {
  it.each([
    ['packages/replay/src/tick.ts', 'setTimeout(() => undefined, 10);', /no-restricted-globals: .*No timers/],
    ['packages/analysis/src/now.ts', 'export const now = Date.now();', /no-restricted-properties: .*time as an argument/],
    ['packages/simulator/src/dice.ts', 'export const roll = Math.random();', /no-restricted-properties: .*randomness/],
    ['packages/schema/src/today.ts', 'export const today = new Date();', /no-restricted-syntax: .*reads the clock/],
    ['packages/analysis/src/get.ts', "export const r = fetch('https://example.org');", /no-restricted-globals: .*No I\/O/],
    ['packages/replay/src/env.ts', 'export const e = process.env;', /no-restricted-globals: .*host objects/],
    ['packages/analysis/src/file.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;", /no-restricted-imports: .*no I\/O/],
    ['packages/replay/src/fs.ts', "import { readFileSync } from 'fs';\nexport const r = readFileSync;", /no-restricted-imports: .*no I\/O/],
    ['packages/schema/src/enc.ts', 'export const e = new TextEncoder();', /no-restricted-globals: .*web-crypto\.ts/],
  ])('%s: %s is reported', async (path, code, rule) => {
    expect(await lint(path, code)).toEqual([expect.stringMatching(rule)]);
  });

  it('allows a time passed in, a fixed date and a seeded generator', async () => {
    const code = 'export const at = (now: number) => new Date(now).toISOString();\nexport const seeded = (next: () => number) => next();\n';
    expect(await lint('packages/analysis/src/clock.ts', code)).toEqual([]);
  });

  it('the server and the recorder may use timers', async () => {
    expect(await lint('apps/server/src/ticker.ts', 'export const t = setTimeout(() => undefined, 10);\n')).toEqual([]);
    expect(await lint('packages/recorder/src/ticker.ts', 'export const t = setTimeout(() => undefined, 10);\n')).toEqual([]);
  });

  it('tests of the pure packages may use Node and timers', async () => {
    expect(await lint('packages/replay/src/tick.test.ts', "import { readFileSync } from 'node:fs';\nsetTimeout(() => readFileSync, 1);\n")).toEqual([]);
  });
});

describe('the server folders keep their layers', () => {
  it.each([
    ['apps/server/src/kernel/actor.ts', "import { auth } from '../http/auth';", /kernel\/ imports nothing/],
    ['apps/server/src/kernel/policy/table.ts', "import { x } from '../../platform/db/database';", /kernel\/ imports nothing/],
    ['apps/server/src/kernel/events.ts', "import { Kysely } from 'kysely';", /no framework or driver/],
    ['apps/server/src/platform/db/database.ts', "import { sessions } from '../../modules/sessions/index';", /platform\/ .* imports kernel\/ and config\/ only/],
    ['apps/server/src/config/config.ts', "import { db } from '../platform/db/database';", /config\/ imports kernel\/ only/],
    ['apps/server/src/modules/sessions/sessions.service.ts', "import { ingest } from '../ingest/ingest.service';", /through its index/],
    ['apps/server/src/modules/sessions/sessions.service.ts', "import { ingest } from '../../modules/ingest/ingest.service';", /through its index/],
    ['apps/server/src/modules/sessions/sessions.service.ts', "import { app } from '../../http/app';", /modules\/ import kernel/],
    ['apps/server/src/http/app.ts', "import { repo } from '../modules/sessions/sessions.repository';", /routes \(or its index\)/],
    ['apps/server/src/http/app.ts', "import { worker } from '../roles/worker';", /http\/ imports kernel/],
    ['apps/server/src/jobs/registry.ts', "import { app } from '../http/app';", /jobs\/ binds job names/],
  ])('%s: %s is reported', async (path, code, rule) => {
    expect(await lint(path, `${code}\nexport const used = 1;\n`)).toEqual([expect.stringMatching(rule)]);
  });

  it.each([
    ['apps/server/src/kernel/policy.ts', "import { AppError } from './errors';"],
    ['apps/server/src/platform/queue/pg-boss.ts', "import { Actor } from '../../kernel/actor';\nimport { db } from '../db/database';"],
    ['apps/server/src/config/config.ts', "import { AppError } from '../kernel/errors';"],
    [
      'apps/server/src/modules/sessions/sessions.service.ts',
      "import { ingest } from '../ingest/index';\nimport { x } from '../ingest';\nimport { Actor } from '../../kernel/actor';\nimport { db } from '../../platform/db/database';\nimport { y } from './sessions.repository';",
    ],
    ['apps/server/src/http/app.ts', "import { routes } from '../modules/sessions/sessions.routes';\nimport { config } from '../config/config';"],
    [
      'apps/server/src/roles/api.ts',
      "import { app } from '../http/app';\nimport { registry } from '../jobs/registry';\nimport { repo } from '../modules/sessions/sessions.repository';",
    ],
  ])('%s: %s is allowed', async (path, code) => {
    expect(await lint(path, `${code}\nexport const used = 1;\n`)).toEqual([]);
  });

  it('only config reads process.env', async () => {
    const code = 'export const port = process.env.PORT;\n';
    expect(await lint('apps/server/src/modules/sessions/sessions.service.ts', code)).toEqual([
      expect.stringMatching(/Only the config module reads the environment/),
    ]);
    expect(await lint('apps/server/src/http/app.ts', code)).toEqual([expect.stringMatching(/Only the config module/)]);
    expect(await lint('apps/server/src/config/env.ts', code)).toEqual([]);
  });

  it('only repositories (and the db platform) import kysely sql', async () => {
    const code = "import { sql } from 'kysely';\nexport const q = sql`select 1`;\n";
    expect(await lint('apps/server/src/modules/sessions/sessions.service.ts', code)).toEqual([expect.stringMatching(/Repositories own SQL/)]);
    expect(await lint('apps/server/src/http/health.ts', code)).toEqual([expect.stringMatching(/Repositories own SQL/)]);
    expect(await lint('apps/server/src/modules/sessions/sessions.repository.ts', code)).toEqual([]);
    expect(await lint('apps/server/src/platform/db/migrations.ts', code)).toEqual([]);
  });
});
