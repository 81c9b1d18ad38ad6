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

  it('makes the derived choices once: group-commit concurrency and the job driver follow the database', () => {
    expect(loadConfig({}).groupCommit.concurrency).toBe(1);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).groupCommit.concurrency).toBe(4);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }, { groupCommit: { concurrency: 8 } }).groupCommit).toMatchObject({
      concurrency: 8,
      maxEvents: 5000,
    });
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
});
