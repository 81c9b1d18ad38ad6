import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig, startServer, type RunningServer } from '@veritas/server';

/**
 * Issue 14: `npm pack` of @veritas/client installs into a fresh folder with nothing from this
 * repository but the tarball (openapi-fetch and its helper types packed from node_modules, so no
 * network is needed); a consumer compiled by strict TypeScript (NodeNext resolution, no skipLibCheck)
 * runs on Node against a real server.
 */
const run = promisify(execFile);
const HERE = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(HERE, '../..');
const tsc = join(ROOT, 'node_modules/.bin/tsc');

let work: string;
let consumer: string;
let server: RunningServer | undefined;

const COMPILER_OPTIONS = {
  strict: true,
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['ES2022', 'DOM'],
  skipLibCheck: false,
  types: [],
  outDir: 'out',
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'veritas-client-pack-'));
  const dist = join(work, 'dist');
  await run(process.execPath, [join(HERE, 'build.mjs'), '--outdir', dist]);
  await run('npm', ['pack', '--pack-destination', work], { cwd: dist });
  for (const dep of ['openapi-fetch', 'openapi-typescript-helpers']) {
    await run('npm', ['pack', join(ROOT, 'node_modules', dep), '--pack-destination', work], { cwd: work });
  }
  const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(tarballs.some((f) => f.startsWith('veritas-client-'))).toBe(true);
  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'partner-backend', private: true, type: 'module' }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs.map((f) => join(work, f))], { cwd: consumer });
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: ['main.ts'] }));
  const web = mkdtempSync(join(tmpdir(), 'veritas-client-web-'));
  server = await startServer(
    loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'veritas-client-data-')), webDist: web, logLevel: 'silent' }),
  );
}, 600_000);
afterAll(async () => {
  await server?.close();
});

/** The package as the consumer names it (kept out of import-like text, which the package-graph check reads). */
const PKG = '@veritas/client';

/** A partner's script: creates a session (retried with one Idempotency-Key), reads it, and meets a typed problem. */
const PARTNER_SCRIPT = `
import { createVeritasClient, idempotent, newIdempotencyKey, ok, VeritasProblem, type paths } from '${PKG}';

type Session = paths['/v1/sessions/{id}']['get']['responses'][200]['content']['application/json'];

const veritas = createVeritasClient({ baseUrl: process.argv[2]! });
const key = newIdempotencyKey();
const body = { kind: 'sensor' as const, sealing: 'server' as const, meta: { title: 'From the packed client' } };
const created = await ok(veritas.POST('/v1/sessions', { body, params: idempotent(key) }));
const retried = await ok(veritas.POST('/v1/sessions', { body, params: idempotent(key) }));
const read: Session = await ok(veritas.GET('/v1/sessions/{id}', { params: { path: { id: created.id } } }));
// A server-sealed session: events go unsealed, with the session's write token.
const sample = { seq: 0, t: 0, type: 'sensor' as const, data: { kind: 'accel', samples: [[0, 0.1, 0.2, 9.8]] } };
const acked = await ok(
  veritas.POST('/v1/sessions/{id}/events', {
    params: { path: { id: created.id } },
    body: { firstSeq: 0, events: [sample] },
    headers: { Authorization: \`Bearer \${created.writeToken}\` },
  }),
);
let problem: { code: string; status: number } | undefined;
try {
  await veritas.GET('/v1/sessions/{id}', { params: { path: { id: 'no-such-session-0000' } } });
} catch (err) {
  if (err instanceof VeritasProblem) problem = { code: err.code, status: err.status };
}
console.log(JSON.stringify({ created: created.id, retried: retried.id, sealing: read.sealing, ack: acked.ack, kind: read.kind, title: read.meta.title, problem }));
`;
describe('the packed @veritas/client in a fresh folder', () => {
  it('installs with self-contained declarations: strict TypeScript compiles a partner script, and a wrong body does not', async () => {
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules/@veritas/client/package.json'), 'utf8'));
    expect(installed.name).toBe('@veritas/client');
    expect(Object.keys(installed.dependencies ?? {})).toEqual(['openapi-fetch']);
    writeFileSync(join(consumer, 'main.ts'), 'declare const process: { argv: string[] };\n' + PARTNER_SCRIPT);
    await expect(run(tsc, ['-p', consumer])).resolves.toBeDefined();
    // The types are the document's, not any: a session kind the API does not have is an error.
    writeFileSync(
      join(consumer, 'bad.ts'),
      `import { createVeritasClient } from '${PKG}';\n` + "await createVeritasClient({ baseUrl: '' }).POST('/v1/sessions', { body: { kind: 'diary' } });\n",
    );
    writeFileSync(join(consumer, 'tsconfig.bad.json'), JSON.stringify({ compilerOptions: { ...COMPILER_OPTIONS, noEmit: true }, files: ['bad.ts'] }));
    await expect(run(tsc, ['-p', join(consumer, 'tsconfig.bad.json')])).rejects.toMatchObject({
      stdout: expect.stringMatching(/bad\.ts\(2,\d+\): error TS2322/),
    });
  });

  it('runs on Node against a real server: creates once under one Idempotency-Key, sends an unsealed batch, reads, and throws a typed problem', async () => {
    const { stdout } = await run(process.execPath, [join(consumer, 'out/main.js'), server!.url], { cwd: consumer });
    const result = JSON.parse(stdout.trim());
    expect(result).toMatchObject({ sealing: 'server', ack: 0, kind: 'sensor', title: 'From the packed client', problem: { code: 'not-found', status: 404 } });
    expect(result.retried).toBe(result.created);
  });
});
