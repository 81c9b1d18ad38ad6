import { defineConfig } from 'vitest/config';

// Two cores: two workers. Integration tests each get their own database, so files run in parallel.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    // Generous ceilings: the suite must pass on two cores shared with other work (tests wait on
    // conditions, so a healthy run never comes near them).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    expect: { poll: { timeout: 30_000, interval: 50 } },
    env: { TZ: 'UTC' },
  },
});
