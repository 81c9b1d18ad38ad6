import { buildApp, startRole } from '@veritas/server';
import { withMigratedDatabase } from '../with-database';
import type { Command } from '../main';
import { configFromFlags, describeStorage } from './serve';
import { seedDemo } from '../demo-seed';

export const demo: Command = {
  summary: 'Seed the demo sessions (simulated writing, proctoring and sensor sessions) into the database.',
  usage: 'veritas demo [--data DIR]',
  options: { data: { type: 'string' } },
  async run({ values }) {
    const config = configFromFlags(values);
    const n = await withMigratedDatabase(config, async (database) => {
      const app = await buildApp({ config, database, logger: false });
      // Seeding enqueues each session's analysis: the process starts in its configured role, as `serve` would.
      await startRole(app, config);
      try {
        return await seedDemo(app.services);
      } finally {
        await app.close();
      }
    });
    console.log(n > 0 ? `seeded ${n} demo sessions into ${describeStorage(config)}` : `demo sessions already present in ${describeStorage(config)}`);
    return 0;
  },
};
