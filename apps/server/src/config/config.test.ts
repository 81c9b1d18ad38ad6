import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from './config';

describe('loadConfig', () => {
  it('defaults to the embedded storage on port 8080', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', publicSessions: true });
    expect(c.dataDir).toMatch(/\.veritas-data$/);
    expect(c.databaseUrl).toBeUndefined();
  });

  it('reads PORT, VERITAS_DATA_DIR, DATABASE_URL and REDIS_URL', () => {
    const c = loadConfig({ PORT: '9000', VERITAS_DATA_DIR: '/tmp/x', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:6379' });
    expect(c).toMatchObject({ port: 9000, dataDir: '/tmp/x', databaseUrl: 'postgres://u@h/db', redisUrl: 'redis://h:6379' });
  });

  it('fails fast with a message naming the bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT must be a number/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/databaseUrl/);
    expect(() => loadConfig({ VERITAS_PUBLIC_SESSIONS: 'maybe' })).toThrow(/true or false/);
  });

  it('keeps 5,000 live analysers unless VERITAS_LIVE_ANALYSERS says otherwise (an exam of 2,000 writes into more than the 1,000 it was)', () => {
    expect(loadConfig({}).live.analysers).toBe(5000);
    expect(loadConfig({ VERITAS_LIVE_ANALYSERS: '20000' }).live.analysers).toBe(20000);
    expect(() => loadConfig({ VERITAS_LIVE_ANALYSERS: '0' })).toThrow(ConfigError);
  });

  it('reads VERITAS_TRUST_PROXY as a hop count or a list of proxies, and refuses anything else by name', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ VERITAS_TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ VERITAS_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ VERITAS_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ VERITAS_TRUST_PROXY: '10.0.0.1, 10.1.0.0/16,fd00::/8, loopback' }).trustProxy).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
      'fd00::/8',
      'loopback',
    ]);
    expect(() => loadConfig({ VERITAS_TRUST_PROXY: 'true' })).toThrow(/any client choose its address/);
    expect(() => loadConfig({ VERITAS_TRUST_PROXY: '10.0.0.1, proxy.local' })).toThrow(/"proxy.local" is none of them/);
    expect(() => loadConfig({ VERITAS_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/"10.0.0.0\/33"/);
    expect(() => loadConfig({ VERITAS_TRUST_PROXY: '10.0.0.1,' })).toThrow(ConfigError);
    expect(() => loadConfig({ VERITAS_TRUST_PROXY: '99' })).toThrow(/hop count must be 1 to 32/);
    expect(() => loadConfig({ VERITAS_TRUST_PROXY: '1.5' })).toThrow(ConfigError);
  });

  it('reads VERITAS_CORS_ORIGINS: none by default, "*" alone, or a list of exact origins', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ VERITAS_CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    expect(loadConfig({ VERITAS_CORS_ORIGINS: 'https://school.example, http://127.0.0.1:5173' }).corsOrigins).toEqual([
      'https://school.example',
      'http://127.0.0.1:5173',
    ]);
    expect(() => loadConfig({ VERITAS_CORS_ORIGINS: 'https://school.example/' })).toThrow(/"https:\/\/school.example\/" must be an origin exactly/);
    expect(() => loadConfig({ VERITAS_CORS_ORIGINS: 'https://School.example' })).toThrow(/must be an origin/);
    expect(() => loadConfig({ VERITAS_CORS_ORIGINS: 'school.example' })).toThrow(/is not a URL/);
    expect(() => loadConfig({ VERITAS_CORS_ORIGINS: 'ftp://school.example' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => loadConfig({ VERITAS_CORS_ORIGINS: 'https://a.example,*' })).toThrow(/stands alone/);
  });

  it('makes the derived choices once: group-commit concurrency and the job driver follow the database', () => {
    expect(loadConfig({}).groupCommit.concurrency).toBe(1);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).groupCommit.concurrency).toBe(4);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }, { groupCommit: { concurrency: 8 } }).groupCommit).toMatchObject({
      concurrency: 8,
      maxEvents: 5000,
    });
  });

  it('takes DATABASE_REPLICA_URL beside DATABASE_URL only, with the lag its reads tolerate', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).replica).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', DATABASE_REPLICA_URL: 'postgres://u@r/db' }).replica).toEqual({
      url: 'postgres://u@r/db',
      maxLagMs: 10_000,
    });
    expect(
      loadConfig({ DATABASE_URL: 'postgres://u@h/db', DATABASE_REPLICA_URL: 'postgres://u@r/db', VERITAS_REPLICA_MAX_LAG_MS: '2500' }).replica?.maxLagMs,
    ).toBe(2500);
    expect(() => loadConfig({ DATABASE_REPLICA_URL: 'postgres://u@r/db' })).toThrow(/DATABASE_REPLICA_URL needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/db', DATABASE_REPLICA_URL: 'mysql://r' })).toThrow(/replica/);
  });

  it('is frozen once checked, overrides included', () => {
    const c = loadConfig({}, { dataDir: 'relative-dir', role: 'all' });
    expect(c.dataDir).toMatch(/^\/.*relative-dir$/);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.groupCommit)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
  it('chooses the blob store: a folder under the data folder by default, an S3-compatible bucket with VERITAS_BLOB_DRIVER=s3', () => {
    expect(loadConfig({ VERITAS_DATA_DIR: '/srv/v' }).blob).toEqual({ driver: 'fs', dir: '/srv/v/blobs' });
    expect(loadConfig({}, { dataDir: '/srv/w' }).blob).toEqual({ driver: 'fs', dir: '/srv/w/blobs' });
    expect(loadConfig({ VERITAS_BLOB_DRIVER: 'fs', VERITAS_BLOB_DIR: '/mnt/blobs' }).blob).toEqual({ driver: 'fs', dir: '/mnt/blobs' });
    expect(
      loadConfig({
        VERITAS_BLOB_DRIVER: 's3',
        VERITAS_S3_ENDPOINT: 'http://minio:9000',
        VERITAS_S3_BUCKET: 'veritas-blobs',
        VERITAS_S3_ACCESS_KEY_ID: 'id',
        VERITAS_S3_SECRET_ACCESS_KEY: 'secret',
      }).blob,
    ).toEqual({
      driver: 's3',
      s3: {
        endpoint: 'http://minio:9000',
        region: 'us-east-1',
        bucket: 'veritas-blobs',
        forcePathStyle: true,
        credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      },
    });
    // AWS S3 itself: no endpoint, virtual-host addressing, the SDK's own credentials.
    expect(loadConfig({ VERITAS_BLOB_DRIVER: 's3', VERITAS_S3_BUCKET: 'b-1', VERITAS_S3_REGION: 'eu-west-3' }).blob).toEqual({
      driver: 's3',
      s3: { region: 'eu-west-3', bucket: 'b-1', forcePathStyle: false },
    });
    expect(
      loadConfig({ VERITAS_BLOB_DRIVER: 's3', VERITAS_S3_BUCKET: 'b-1', VERITAS_S3_ENDPOINT: 'https://s3.example', VERITAS_S3_FORCE_PATH_STYLE: 'false' }).blob,
    ).toMatchObject({
      s3: { forcePathStyle: false },
    });
  });

  it('refuses a wrong blob store setting with a message naming it', () => {
    const s3 = { VERITAS_BLOB_DRIVER: 's3', VERITAS_S3_BUCKET: 'veritas' };
    expect(() => loadConfig({ VERITAS_BLOB_DRIVER: 'gcs' })).toThrow(/VERITAS_BLOB_DRIVER must be fs or s3, got "gcs"/);
    expect(() => loadConfig({ VERITAS_BLOB_DRIVER: 's3' })).toThrow(/VERITAS_BLOB_DRIVER=s3 needs VERITAS_S3_BUCKET/);
    expect(() => loadConfig({ ...s3, VERITAS_S3_BUCKET: 'Bad_Bucket' })).toThrow(/VERITAS_S3_BUCKET must be a bucket name/);
    expect(() => loadConfig({ ...s3, VERITAS_S3_ENDPOINT: 'minio:9000' })).toThrow(/VERITAS_S3_ENDPOINT must be an http:\/\/ or https:\/\/ URL/);
    expect(() => loadConfig({ ...s3, VERITAS_S3_ACCESS_KEY_ID: 'id' })).toThrow(/VERITAS_S3_ACCESS_KEY_ID and VERITAS_S3_SECRET_ACCESS_KEY go together/);
    expect(() => loadConfig({ ...s3, VERITAS_S3_SECRET_ACCESS_KEY: 'secret' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...s3, VERITAS_S3_FORCE_PATH_STYLE: 'sometimes' })).toThrow(/VERITAS_S3_FORCE_PATH_STYLE must be true or false/);
    expect(() => loadConfig({ ...s3, VERITAS_S3_PUBLIC_ENDPOINT: 'files.example' })).toThrow(
      /VERITAS_S3_PUBLIC_ENDPOINT must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('reads where browsers reach the bucket, and how long a download link lasts (ADR 0030)', () => {
    const s3 = { VERITAS_BLOB_DRIVER: 's3', VERITAS_S3_BUCKET: 'veritas', VERITAS_S3_ENDPOINT: 'http://minio:9000' };
    expect(loadConfig({ ...s3, VERITAS_S3_PUBLIC_ENDPOINT: 'https://files.example' }).blob).toMatchObject({
      s3: { endpoint: 'http://minio:9000', publicEndpoint: 'https://files.example' },
    });
    expect(loadConfig({}).downloadLinkTtlS).toBe(300);
    expect(loadConfig({ VERITAS_DOWNLOAD_LINK_TTL_S: '900' }).downloadLinkTtlS).toBe(900);
    expect(() => loadConfig({ VERITAS_DOWNLOAD_LINK_TTL_S: '901' })).toThrow(/downloadLinkTtlS/);
    expect(() => loadConfig({ VERITAS_DOWNLOAD_LINK_TTL_S: 'soon' })).toThrow(/VERITAS_DOWNLOAD_LINK_TTL_S must be a number/);
  });
});
