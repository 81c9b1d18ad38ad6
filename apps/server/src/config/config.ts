import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { join, resolve } from 'node:path';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The only module that reads the environment. Everything else receives a Config: validated, with
 * the choices that follow from it (queue driver, group-commit concurrency) made here once, and frozen.
 */
export const Config = Type.Object({
  host: Type.String(),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** Embedded PGlite data folder; ignored when databaseUrl is set. Undefined: in memory (tests). */
  dataDir: Type.Optional(Type.String()),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  /** A streaming replica of databaseUrl for reads that tolerate `maxLagMs` of staleness (dashboards, analytics; ADR 0031). */
  replica: Type.Optional(Type.Object({ url: Type.String({ pattern: '^postgres(ql)?://' }), maxLagMs: Type.Integer({ minimum: 0, maximum: 3_600_000 }) })),
  redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  /** Public base URL used in links (view URL); defaults to the listening address. */
  publicUrl: Type.Optional(Type.String()),
  /** When set, /metrics answers only requests with `Authorization: Bearer <metricsToken>`. */
  metricsToken: Type.Optional(Type.String({ minLength: 16 })),
  /** OpenTelemetry traces sent over OTLP/HTTP to this endpoint; none when absent. */
  tracing: Type.Optional(Type.Object({ endpoint: Type.String({ pattern: '^https?://' }), serviceName: Type.String({ minLength: 1, maxLength: 100 }) })),
  /** Anonymous sessions allowed (public sensor sessions, client-only uploads). */
  publicSessions: Type.Boolean(),
  /**
   * Which proxies in front of the server are believed about the client's address
   * (`X-Forwarded-For`): none (`false`), the nearest N hops, or the proxies at these addresses or
   * CIDR ranges (or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`). Rate limits, audit
   * entries and logs take the address this yields.
   */
  trustProxy: Type.Union([
    Type.Literal(false),
    Type.Integer({ minimum: 1, maximum: 32 }),
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 64 }),
  ]),
  /**
   * Which other sites' pages may use this server's recorder routes for public (anonymous) sessions:
   * `*` for any, or a list of origins (`https://host[:port]`); none by default. A tenant's sessions
   * follow the tenant's own list instead. No answer ever allows credentials (cookies).
   */
  corsOrigins: Type.Union([Type.Literal('*'), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })]),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  /** Built web app to serve on the same port, if present. */
  webDist: Type.Optional(Type.String()),
  /** The recorder's browser build (index.js and package.json), served as /sdk/recorder.js. */
  sdkDir: Type.String({ minLength: 1 }),
  groupCommit: Type.Object({
    /**
     * How long the first batch of a group waits for company, in ms. 0 (the default): it goes at
     * once when a commit slot is free, and batches gather while commits are in flight, which
     * keeps latency low at light load and still batches under heavy load (bench/ingest).
     */
    maxWaitMs: Type.Number({ minimum: 0, maximum: 100 }),
    /**
     * How long it waits instead while another group is committing, in ms (default 2): no wait on an
     * idle server, larger groups on a busy one (bench/README.md, ingest, "A wait only while another
     * group commits").
     */
    busyWaitMs: Type.Number({ minimum: 0, maximum: 100 }),
    /** A group is committed at once when it holds this many events. */
    maxEvents: Type.Integer({ minimum: 1 }),
    /**
     * Groups committing at once. Derived: 1 on the embedded database (PGlite runs one statement at a
     * time, so more would only queue), 4 on PostgreSQL.
     */
    concurrency: Type.Integer({ minimum: 1, maximum: 64 }),
  }),
  rateLimit: Type.Object({
    /** Requests per minute per client on anonymous routes (session creation, bundle upload). */
    anonymousPerMinute: Type.Integer({ minimum: 1 }),
    /** Batches per minute per client and session, over HTTP and the ingest socket together. */
    ingestPerMinute: Type.Integer({ minimum: 1 }),
    /** Ingest sockets open at once per client (per server instance). */
    socketsPerClient: Type.Integer({ minimum: 1 }),
  }),
  /**
   * What this process does: `api` serves HTTP and enqueues jobs; `worker` runs jobs (and answers
   * /health, /ready and /metrics only); `all` does both (the embedded default).
   */
  role: Type.Union([Type.Literal('api'), Type.Literal('worker'), Type.Literal('all')]),
  /**
   * Signals the host page sends (webcam-derived confusion, engagement …): `accept` shows them as the
   * host labels them (never in the score); `refuse` drops them from every analysis on this server,
   * where inferring emotions in education is unlawful. Per tenant once tenants exist.
   */
  hostSignals: Type.Union([Type.Literal('accept'), Type.Literal('refuse')]),
  jobs: Type.Object({
    /** `embedded` (a jobs table in our database) or `pg-boss`; default pg-boss with DATABASE_URL, else embedded. */
    driver: Type.Union([Type.Literal('embedded'), Type.Literal('pg-boss')]),
    /** How often an idle worker looks for jobs, in ms (pg-boss: at least 500). */
    pollIntervalMs: Type.Integer({ minimum: 10 }),
    /** Analysis jobs run at once in one worker process. */
    concurrency: Type.Integer({ minimum: 1, maximum: 64 }),
  }),
  timeouts: Type.Object({
    /** The whole request (headers and body) must arrive within this, in ms; else 408 (Node's requestTimeout). */
    requestMs: Type.Integer({ minimum: 100 }),
    /** A connection with a request in progress and no bytes moving for this long is closed, in ms. */
    connectionMs: Type.Integer({ minimum: 100 }),
    /** An idle keep-alive connection between requests is closed after this, in ms. */
    keepAliveMs: Type.Integer({ minimum: 100 }),
    /** An authorised ingest socket that sends nothing for this long is closed (code 4408), in ms. */
    socketIdleMs: Type.Integer({ minimum: 100 }),
  }),
  /**
   * Where bundles, reports and exports go: `fs`, a folder (the embedded default), or `s3`, an
   * S3-compatible bucket shared by every instance.
   */
  blob: Type.Union([
    Type.Object({ driver: Type.Literal('fs'), dir: Type.String({ minLength: 1 }) }),
    Type.Object({
      driver: Type.Literal('s3'),
      s3: Type.Object({
        endpoint: Type.Optional(Type.String({ pattern: '^https?://' })),
        /** Where browsers reach the bucket, when not at `endpoint` (download links are signed for this host). */
        publicEndpoint: Type.Optional(Type.String({ pattern: '^https?://' })),
        region: Type.String({ minLength: 1 }),
        bucket: Type.String({ minLength: 3, maxLength: 63 }),
        forcePathStyle: Type.Boolean(),
        credentials: Type.Optional(Type.Object({ accessKeyId: Type.String({ minLength: 1 }), secretAccessKey: Type.String({ minLength: 1 }) })),
      }),
    }),
  ]),
  /** Download links to stored exports and reports (modules/downloads): how long one lasts, in seconds (at most 900). */
  downloadLinkTtlS: Type.Integer({ minimum: 10, maximum: 900 }),
  /** Live streams (GET /v1/sessions/{id}/live). */
  live: Type.Object({
    /** A comment line is sent this often on an open stream, so proxies do not close it, in ms. */
    heartbeatMs: Type.Integer({ minimum: 10 }),
    /** How often an open stream re-checks that its viewer may still read the session, in ms. */
    recheckMs: Type.Integer({ minimum: 10 }),
    /** A viewer with more than this many bytes written and not yet taken is dropped (it resumes from its id). */
    maxBufferedBytes: Type.Integer({ minimum: 1024 }),
    /**
     * Live analysers kept in memory (20–60 KB each, bench/analysis/memory.ts), least recently fed evicted
     * first. Fewer than the sessions writing at once, and every batch rebuilds one from all its stored events.
     */
    analysers: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  }),
  /**
   * A private Ed25519 JWK that signs certificates (ADR 0016); its private part never enters the
   * database. Unset: a key is generated into the database (the data folder on the embedded default).
   */
  certificateKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  /** Webhook deliveries (modules/webhooks, ADR 0023). */
  webhooks: Type.Object({
    /** Let endpoints resolve to loopback, private or link-local addresses (SSRF care: off by default; tests and single-host setups turn it on). */
    allowPrivate: Type.Boolean(),
    /** Runs of one message before it is given up and its endpoint disabled (default 15). */
    attempts: Type.Integer({ minimum: 1, maximum: 30 }),
    /** Wait before the first retry; retry n waits between base·2^(n−1) and base·2^n (default 6 s: 15 attempts span 27 to 55 hours). */
    retryBaseMs: Type.Integer({ minimum: 1 }),
    /** How long one attempt may take, connection to answer. */
    timeoutMs: Type.Integer({ minimum: 100 }),
  }),
  bodyLimit: Type.Object({
    default: Type.Integer({ minimum: 1024 }),
    events: Type.Integer({ minimum: 1024 }),
    bundle: Type.Integer({ minimum: 1024 }),
  }),
});
export type Config = Static<typeof Config>;

const check = TypeCompiler.Compile(Config);

export class ConfigError extends Error {}

/**
 * Traces go where OpenTelemetry's own variables say: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given,
 * or OTEL_EXPORTER_OTLP_ENDPOINT with the traces path appended (as the specification reads them).
 */
function tracing(env: NodeJS.ProcessEnv): Config['tracing'] {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;
  const endpoint = traces ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  return endpoint ? { endpoint, serviceName: env.OTEL_SERVICE_NAME || 'veritas' } : undefined;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

export const DEFAULT_DATA_DIR = '.veritas-data';

/** Where `node packages/recorder/build.mjs` writes the recorder's build in this repository. */
export const DEFAULT_SDK_DIR = fileURLToPath(new URL('../../../../packages/recorder/dist', import.meta.url));

/**
 * An origin as browsers send it: `http://` or `https://`, a host, a port only when not the default,
 * nothing after. Returns the reason it is not one, or undefined.
 */
export function originProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must start with http:// or https://';
  if (url.origin !== raw) return `must be an origin exactly as a browser sends it (scheme, host, optional port; no path, lowercase): "${url.origin}"`;
  return undefined;
}

/** VERITAS_CORS_ORIGINS: unset or empty, none; `*`, any; else comma-separated origins, each checked. */
function corsOrigins(raw: string | undefined): Config['corsOrigins'] {
  const value = raw?.trim() ?? '';
  if (value === '') return [];
  if (value === '*') return '*';
  const origins = value.split(',').map((o) => o.trim());
  for (const o of origins) {
    if (o === '*') throw new ConfigError('VERITAS_CORS_ORIGINS: "*" stands alone (any origin), not in a list');
    const problem = originProblem(o);
    if (problem) throw new ConfigError(`VERITAS_CORS_ORIGINS: "${o}" ${problem}`);
  }
  return origins;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, an address/prefix (CIDR) or one of proxy-addr's names; `null` when it is none of them. */
function proxyEntry(raw: string): string | null {
  if (PROXY_NAMES.has(raw)) return raw;
  const [addr, prefix, extra] = raw.split('/');
  if (extra !== undefined || !addr) return null;
  const family = isIP(addr);
  if (family === 0) return null;
  if (prefix === undefined) return raw;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128)) return null;
  return raw;
}

/**
 * VERITAS_TRUST_PROXY: unset, empty, `false` or `0` trusts no proxy (the default: `X-Forwarded-For`
 * is ignored); a whole number N trusts the nearest N hops; otherwise a comma-separated list of
 * addresses, CIDR ranges or `loopback` / `linklocal` / `uniquelocal`. `true` (trust every hop, so
 * any client could choose its own address) is refused.
 */
function trustProxy(raw: string | undefined): Config['trustProxy'] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 32) throw new ConfigError(`VERITAS_TRUST_PROXY as a hop count must be 1 to 32, got "${raw}"`);
    return hops;
  }
  if (value === 'true')
    throw new ConfigError(
      'VERITAS_TRUST_PROXY=true would let any client choose its address with X-Forwarded-For: give the number of proxies in front of the server, or their addresses',
    );
  const entries = value.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => proxyEntry(e) === null);
  if (bad.length > 0)
    throw new ConfigError(
      `VERITAS_TRUST_PROXY must be a hop count or a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal; "${bad[0]}" is none of them`,
    );
  return entries;
}

function role(raw: string | undefined): Config['role'] {
  if (raw === undefined || raw === '') return 'all';
  if (raw === 'api' || raw === 'worker' || raw === 'all') return raw;
  throw new ConfigError(`VERITAS_ROLE must be api, worker or all, got "${raw}"`);
}

/** pg-boss on PostgreSQL, the embedded runner on PGlite; VERITAS_JOBS_DRIVER=embedded keeps the embedded runner on PostgreSQL. */
function jobsDriver(env: NodeJS.ProcessEnv): Config['jobs']['driver'] {
  const raw = env.VERITAS_JOBS_DRIVER;
  if (raw === undefined || raw === '') return env.DATABASE_URL ? 'pg-boss' : 'embedded';
  if (raw === 'embedded') return raw;
  if (raw === 'pg-boss') {
    if (!env.DATABASE_URL) throw new ConfigError('VERITAS_JOBS_DRIVER=pg-boss needs DATABASE_URL (pg-boss runs on PostgreSQL)');
    return raw;
  }
  throw new ConfigError(`VERITAS_JOBS_DRIVER must be embedded or pg-boss, got "${raw}"`);
}

/** S3 bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An optional http(s) URL from the environment. */
function httpUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name] || undefined;
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ConfigError(`${name} must be an http:// or https:// URL, got "${raw}"`);
  return raw;
}

/**
 * The blob store: a folder (VERITAS_BLOB_DIR, default `<data dir>/blobs`) or an S3-compatible bucket.
 * Path-style addressing is the default with an endpoint (MinIO, Ceph, s3rver … need it), virtual-host
 * style without one (AWS S3).
 */
function blobStore(env: NodeJS.ProcessEnv, dataDir: string): Config['blob'] {
  const raw = env.VERITAS_BLOB_DRIVER;
  if (raw === undefined || raw === '' || raw === 'fs') {
    return { driver: 'fs', dir: resolve(env.VERITAS_BLOB_DIR || join(dataDir, 'blobs')) };
  }
  if (raw !== 's3') throw new ConfigError(`VERITAS_BLOB_DRIVER must be fs or s3, got "${raw}"`);
  const bucket = env.VERITAS_S3_BUCKET;
  if (!bucket) throw new ConfigError('VERITAS_BLOB_DRIVER=s3 needs VERITAS_S3_BUCKET (the bucket blobs are stored in)');
  if (!BUCKET.test(bucket) || bucket.includes('..'))
    throw new ConfigError(`VERITAS_S3_BUCKET must be a bucket name (3-63 lowercase letters, digits, "." and "-"), got "${bucket}"`);
  const endpoint = httpUrl(env, 'VERITAS_S3_ENDPOINT');
  const publicEndpoint = httpUrl(env, 'VERITAS_S3_PUBLIC_ENDPOINT');
  const accessKeyId = env.VERITAS_S3_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.VERITAS_S3_SECRET_ACCESS_KEY || undefined;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined))
    throw new ConfigError('VERITAS_S3_ACCESS_KEY_ID and VERITAS_S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS SDK default credentials');
  return {
    driver: 's3',
    s3: {
      ...(endpoint ? { endpoint } : {}),
      ...(publicEndpoint ? { publicEndpoint } : {}),
      region: env.VERITAS_S3_REGION || 'us-east-1',
      bucket,
      forcePathStyle: bool(env, 'VERITAS_S3_FORCE_PATH_STYLE', endpoint !== undefined),
      ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    },
  };
}

/**
 * What a caller (the command line's flags, a test) sets over the environment. Never written into the
 * environment: they are merged here, then validated with the rest.
 */
export type ConfigOverrides = Partial<Omit<Config, 'groupCommit' | 'rateLimit' | 'timeouts' | 'live'>> & {
  live?: Partial<Config['live']>;
  groupCommit?: Partial<Config['groupCommit']>;
  rateLimit?: Partial<Config['rateLimit']>;
  timeouts?: Partial<Config['timeouts']>;
};

/** DATABASE_REPLICA_URL: only beside a primary (DATABASE_URL); reads trail it by at most VERITAS_REPLICA_MAX_LAG_MS. */
function replica(env: NodeJS.ProcessEnv): Config['replica'] {
  if (!env.DATABASE_REPLICA_URL) return undefined;
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_REPLICA_URL needs DATABASE_URL: the replica serves reads beside a PostgreSQL primary');
  return { url: env.DATABASE_REPLICA_URL, maxLagMs: int(env, 'VERITAS_REPLICA_MAX_LAG_MS', 10_000) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads the environment (PORT, HOST, VERITAS_DATA_DIR, DATABASE_URL, REDIS_URL, …) with
 * overrides from the command line, and fails fast with a clear message when a value is wrong.
 * The result is frozen: nothing changes the configuration after it is checked.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Readonly<Config> {
  const { groupCommit, rateLimit, timeouts, live, ...rest } = overrides;
  const dataDir = 'dataDir' in overrides && overrides.dataDir !== undefined ? resolve(overrides.dataDir) : resolve(env.VERITAS_DATA_DIR ?? DEFAULT_DATA_DIR);
  const databaseUrl = 'databaseUrl' in overrides ? overrides.databaseUrl : env.DATABASE_URL || undefined;
  const config: Config = {
    host: env.HOST ?? '127.0.0.1',
    port: int(env, 'PORT', 8080),
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    replica: replica(env),
    redisUrl: env.REDIS_URL || undefined,
    publicUrl: env.VERITAS_PUBLIC_URL || undefined,
    metricsToken: env.VERITAS_METRICS_TOKEN || undefined,
    tracing: tracing(env),
    publicSessions: bool(env, 'VERITAS_PUBLIC_SESSIONS', true),
    trustProxy: trustProxy(env.VERITAS_TRUST_PROXY),
    corsOrigins: corsOrigins(env.VERITAS_CORS_ORIGINS),
    logLevel: (env.LOG_LEVEL ?? 'info') as Config['logLevel'],
    webDist: env.VERITAS_WEB_DIST || undefined,
    sdkDir: resolve(env.VERITAS_SDK_DIR || DEFAULT_SDK_DIR),
    groupCommit: {
      maxWaitMs: int(env, 'VERITAS_GROUP_COMMIT_MS', 0),
      busyWaitMs: int(env, 'VERITAS_GROUP_COMMIT_BUSY_MS', 2),
      maxEvents: int(env, 'VERITAS_GROUP_COMMIT_EVENTS', 5000),
      concurrency: databaseUrl ? 4 : 1,
      ...groupCommit,
    },
    rateLimit: {
      anonymousPerMinute: int(env, 'VERITAS_RATE_ANON_PER_MIN', 60),
      ingestPerMinute: int(env, 'VERITAS_RATE_INGEST_PER_MIN', 1200),
      socketsPerClient: int(env, 'VERITAS_SOCKETS_PER_CLIENT', 32),
      ...rateLimit,
    },
    timeouts: {
      requestMs: int(env, 'VERITAS_REQUEST_TIMEOUT_MS', 120_000),
      connectionMs: int(env, 'VERITAS_CONNECTION_TIMEOUT_MS', 30_000),
      keepAliveMs: int(env, 'VERITAS_KEEP_ALIVE_TIMEOUT_MS', 72_000),
      socketIdleMs: int(env, 'VERITAS_SOCKET_IDLE_MS', 300_000),
      ...timeouts,
    },
    role: role(env.VERITAS_ROLE),
    hostSignals: (env.VERITAS_HOST_SIGNALS ?? 'accept') as Config['hostSignals'],
    jobs: {
      driver: jobsDriver(env),
      pollIntervalMs: int(env, 'VERITAS_JOBS_POLL_MS', env.DATABASE_URL ? 1000 : 250),
      concurrency: int(env, 'VERITAS_JOBS_CONCURRENCY', 2),
    },
    blob: blobStore(env, dataDir),
    downloadLinkTtlS: int(env, 'VERITAS_DOWNLOAD_LINK_TTL_S', 300),
    live: {
      heartbeatMs: int(env, 'VERITAS_LIVE_HEARTBEAT_MS', 15_000),
      recheckMs: int(env, 'VERITAS_LIVE_RECHECK_MS', 5_000),
      maxBufferedBytes: int(env, 'VERITAS_LIVE_MAX_BUFFER_BYTES', 1024 * 1024),
      analysers: int(env, 'VERITAS_LIVE_ANALYSERS', 5_000),
      ...live,
    },
    certificateKeyFile: env.VERITAS_CERTIFICATE_KEY_FILE ? resolve(env.VERITAS_CERTIFICATE_KEY_FILE) : undefined,
    webhooks: {
      allowPrivate: bool(env, 'VERITAS_WEBHOOKS_ALLOW_PRIVATE', false),
      attempts: int(env, 'VERITAS_WEBHOOKS_ATTEMPTS', 15),
      retryBaseMs: int(env, 'VERITAS_WEBHOOKS_RETRY_BASE_MS', 6000),
      timeoutMs: int(env, 'VERITAS_WEBHOOKS_TIMEOUT_MS', 10_000),
    },
    bodyLimit: { default: 256 * 1024, events: 4 * 1024 * 1024, bundle: int(env, 'VERITAS_BUNDLE_LIMIT_BYTES', 64 * 1024 * 1024) },
    ...rest,
    ...('dataDir' in rest && rest.dataDir !== undefined ? { dataDir: resolve(rest.dataDir) } : {}),
  };
  for (const key of Object.keys(config) as (keyof Config)[]) if (config[key] === undefined) delete config[key];
  if (!check.Check(config)) {
    const e = check.Errors(config).First();
    throw new ConfigError(`invalid configuration: ${e?.path ?? ''} ${e?.message ?? ''}`.trim());
  }
  return deepFreeze(config);
}
