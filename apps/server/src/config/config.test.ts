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
});
