import { describe, expect, it } from 'vitest';
import { configFromFlags } from './serve';

describe('serve flags', () => {
  it('are overrides of the configuration, never written into the environment', () => {
    const before = { ...process.env };
    const config = configFromFlags({ data: '/tmp/veritas-flags', role: 'all', port: '9123', host: '0.0.0.0' });
    expect(config).toMatchObject({ dataDir: '/tmp/veritas-flags', role: 'all', port: 9123, host: '0.0.0.0' });
    expect(process.env).toEqual(before);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses a wrong role or port with the flag named', () => {
    expect(() => configFromFlags({ role: 'boss' })).toThrow(/--role must be api, worker or all/);
    expect(() => configFromFlags({ port: 'eighty' })).toThrow(/--port/);
  });
});
