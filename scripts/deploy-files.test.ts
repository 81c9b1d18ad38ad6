import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildApp, loadConfig } from '@veritas/server';
import { buildWorkerApp } from '../apps/server/src/roles/worker-app';
import { createTestDatabase } from '../apps/server/src/testing/test-database';
import { serve } from '../apps/cli/src/commands/serve';

// Containers cannot run on this project's machines, so the deployment files are checked statically
// against the code they start: the command and its flags parse as the CLI parses them, every
// environment name is one the configuration reads and the whole environment loads, ports agree,
// and every probe path answers 200 on a real server of the role that is probed.

const root = new URL('..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');
type Env = Record<string, string>;
type Role = 'api' | 'worker';

/** `node apps/cli/bin/veritas.mjs serve --role X`, parsed as `veritas` parses it; returns the role. */
function roleOfCommand(command: unknown): Role {
  expect(Array.isArray(command)).toBe(true);
  const [node, bin, name, ...rest] = command as string[];
  expect(node).toBe('node');
  expect(existsSync(join(root, bin!)), `${bin} exists`).toBe(true);
  expect(name).toBe('serve');
  const { values, positionals } = parseArgs({ args: rest, options: serve.options, strict: true, allowPositionals: true });
  expect(positionals).toEqual([]);
  expect(['api', 'worker']).toContain(values.role);
  return values.role as Role;
}

/** Loads the configuration from `env` alone and returns the names it read: a name it never reads is drift. */
function checkEnvironment(env: Env, role: Role) {
  const readNames = new Set<string>();
  const recording = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') readNames.add(key);
      return target[key as string];
    },
  });
  const config = loadConfig(recording as NodeJS.ProcessEnv, { role });
  for (const name of Object.keys(env)) expect(readNames, `${name} is read by config.ts`).toContain(name);
  return config;
}

const probePaths = new Map<Role, Set<string>>([
  ['api', new Set()],
  ['worker', new Set()],
]);
const probeOf = (role: Role, path: string) => probePaths.get(role)!.add(path);
const pathInFetch = (script: string) => /fetch\('http:\/\/127\.0\.0\.1:[^/]*(\/[a-z]+)'/.exec(script)?.[1] ?? /\+ '(\/[a-z]+)'\)/.exec(script)?.[1];

describe('deploy/Dockerfile', () => {
  const lines = read('deploy/Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const final = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));
  const instruction = (name: string) => final.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());

  it('builds in stages, runs as a user other than root, exposes the port it sets, and starts the README’s command', () => {
    expect(lines.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    expect(instruction('USER').at(-1)).toMatch(/^(?!root$|0$)\w+$/);
    const env = Object.fromEntries(
      [
        ...instruction('ENV')
          .join(' ')
          .matchAll(/(\w+)=(\S+)/g),
      ].map((m) => [m[1]!, m[2]!]),
    );
    expect(instruction('EXPOSE')).toEqual([env.PORT]);
    checkEnvironment(env, 'api');
    const cmd = JSON.parse(instruction('CMD').at(-1)!) as string[];
    expect(cmd.slice(0, 3)).toEqual(['node', 'apps/cli/bin/veritas.mjs', 'serve']);
    expect(read('README.md')).toContain('veritas serve');
    const health = instruction('HEALTHCHECK').at(-1)!;
    const path = pathInFetch(health);
    expect(path).toBeDefined();
    probeOf('api', path!);
    probeOf('worker', path!);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parse(read('deploy/compose.yaml'), { merge: true }) as {
    services: Record<
      string,
      { command?: string[]; environment?: Env; ports?: string[]; healthcheck?: { test: string[] }; depends_on?: Record<string, unknown>; image?: string }
    >;
  };
  const veritas = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith('veritas:'));

  it('runs two API instances and a worker of one image, on PostgreSQL, Redis and an S3-compatible store', () => {
    const roles = veritas.map(([, s]) => roleOfCommand(s.command));
    expect(roles.sort()).toEqual(['api', 'api', 'worker']);
    expect(new Set(veritas.map(([, s]) => s.image)).size).toBe(1);
    for (const name of ['postgres', 'redis', 's3']) expect(Object.keys(compose.services)).toContain(name);
    for (const [, s] of veritas) for (const dep of Object.keys(s.depends_on ?? {})) expect(Object.keys(compose.services)).toContain(dep);
  });

  it('gives each instance an environment the configuration reads whole, publishes the port it listens on, and probes a real path', () => {
    for (const [name, s] of veritas) {
      const role = roleOfCommand(s.command);
      const config = checkEnvironment(s.environment ?? {}, role);
      expect(config.databaseUrl, name).toMatch(/^postgres:\/\/.+@postgres:5432\//);
      expect(config.redisUrl, name).toBe('redis://redis:6379');
      expect(config.blob.driver, name).toBe('s3');
      for (const mapping of s.ports ?? []) expect(mapping.split(':').at(-1), name).toBe(String(config.port));
      const test = s.healthcheck?.test ?? [];
      const path = pathInFetch(test.at(-1) ?? '');
      expect(path, name).toBeDefined();
      expect(test.at(-1)).toContain(`:${config.port}/`);
      probeOf(role, path!);
    }
  });

  it('publishes the S3-compatible store where its download links point, and streams a replica the servers read from', () => {
    const services = compose.services as Record<string, { ports?: string[]; entrypoint?: string[]; depends_on?: Record<string, unknown>; image?: string }>;
    for (const [name, s] of veritas) {
      const config = checkEnvironment(s.environment ?? {}, roleOfCommand(s.command));
      const inner = new URL(config.blob.driver === 's3' ? (config.blob.s3.endpoint ?? '') : '');
      const outer = new URL(config.blob.driver === 's3' ? (config.blob.s3.publicEndpoint ?? 'http://unset') : '');
      // A browser outside the compose network reaches the store on this machine, at a port the store's service publishes.
      expect(outer.hostname, name).toBe('localhost');
      expect(services[inner.hostname], `${name}: ${inner.hostname} is a service`).toBeDefined();
      expect(services[inner.hostname]!.ports ?? [], name).toContain(`${outer.port}:${inner.port}`);
      // The replica is a service of its own, copied from the primary the servers write to.
      const replica = new URL(config.replica?.url ?? 'postgres://unset');
      const primary = new URL(config.databaseUrl!);
      expect(replica.hostname, name).not.toBe(primary.hostname);
      const standby = services[replica.hostname];
      expect(standby, `${name}: ${replica.hostname} is a service`).toBeDefined();
      expect(standby!.image, name).toBe(services[primary.hostname]!.image);
      expect(Object.keys(standby!.depends_on ?? {}), name).toContain(primary.hostname);
      const script = (standby!.entrypoint ?? []).join(' ');
      expect(script, name).toContain(`pg_basebackup -h ${primary.hostname} -p ${primary.port || '5432'} -U ${primary.username} `);
      expect(script, name).toMatch(/ -R /);
    }
  });
});

describe('deploy/kubernetes', () => {
  type Doc = { kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown };
  const docs: Doc[] = readdirSync(join(root, 'deploy/kubernetes'))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(read(`deploy/kubernetes/${f}`)).map((d) => d.toJS() as Doc));
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const named = (kind: string, name: string) => byKind(kind).find((d) => d.metadata.name === name);
  type Container = {
    args: string[];
    envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    ports: { name: string; containerPort: number }[];
    [probe: string]: unknown;
  };
  type Deployment = Doc & {
    spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } } };
  };
  const deployments = byKind('Deployment') as Deployment[];
  const subset = (small: Record<string, string>, big: Record<string, string>) => Object.entries(small).every(([k, v]) => big[k] === v);

  it('has an API and a worker Deployment whose commands parse, whose environment loads whole, and whose probes name a container port', () => {
    expect(deployments.map((d) => roleOfCommand(d.spec.template.spec.containers[0]!.args)).sort()).toEqual(['api', 'worker']);
    for (const d of deployments) {
      expect(subset(d.spec.selector.matchLabels, d.spec.template.metadata.labels), d.metadata.name).toBe(true);
      const [c] = d.spec.template.spec.containers;
      const role = roleOfCommand(c!.args);
      const env: Env = {};
      for (const from of c!.envFrom ?? []) {
        const source = from.configMapRef ? named('ConfigMap', from.configMapRef.name) : named('Secret', from.secretRef!.name);
        expect(source, JSON.stringify(from)).toBeDefined();
        Object.assign(env, (source as { data?: Env }).data ?? {}, (source as { stringData?: Env }).stringData ?? {});
      }
      const config = checkEnvironment(env, role);
      // The replica's address is a secret beside the primary's, and loads as the replica (ADR 0031).
      expect(config.replica?.url, d.metadata.name).toMatch(/^postgres:\/\/.+@postgres-replica:5432\//);
      expect(c!.ports.map((p) => p.containerPort)).toEqual([config.port]);
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const get = (c![probe] as { httpGet?: { path: string; port: string | number } } | undefined)?.httpGet;
        if (!get) continue;
        expect(
          c!.ports.some((p) => p.name === get.port || p.containerPort === get.port),
          `${d.metadata.name} ${probe}`,
        ).toBe(true);
        probeOf(role, get.path);
      }
      expect(c!.readinessProbe, d.metadata.name).toBeDefined();
      expect(c!.livenessProbe, d.metadata.name).toBeDefined();
    }
  });

  it('routes the Service, the autoscaler and the disruption budget to the API pods', () => {
    const api = deployments.find((d) => roleOfCommand(d.spec.template.spec.containers[0]!.args) === 'api')!;
    const labels = api.spec.template.metadata.labels;
    const service = byKind('Service')[0] as Doc & { spec: { selector: Record<string, string>; ports: { targetPort: string | number }[] } };
    expect(subset(service.spec.selector, labels)).toBe(true);
    const ports = api.spec.template.spec.containers[0]!.ports;
    for (const p of service.spec.ports) expect(ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort)).toBe(true);
    const hpa = byKind('HorizontalPodAutoscaler')[0] as Doc & { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number } };
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: api.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = byKind('PodDisruptionBudget')[0] as Doc & { spec: { selector: { matchLabels: Record<string, string> } } };
    expect(subset(pdb.spec.selector.matchLabels, labels)).toBe(true);
  });
});

describe('the probed paths', () => {
  it('answer 200 on the app of each role, on the database the suite runs on (run after the files above were read)', async () => {
    const db = await createTestDatabase();
    const base = { dataDir: undefined, logLevel: 'silent' as const };
    const apps = {
      api: await buildApp({ config: loadConfig({}, { ...base, role: 'api' }), database: db.database, logger: false }),
      worker: await buildWorkerApp({ config: loadConfig({}, { ...base, role: 'worker' }), database: db.database, logger: false }),
    };
    try {
      for (const [role, paths] of probePaths) {
        expect(paths.size, role).toBeGreaterThan(0);
        for (const path of paths) expect((await apps[role].inject({ method: 'GET', url: path })).statusCode, `${role} ${path}`).toBe(200);
      }
    } finally {
      await apps.api.close();
      await apps.worker.close();
      await db.drop();
    }
  });
});
