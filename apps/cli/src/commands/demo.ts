import { migrateToLatest, openDatabase, buildApp } from '@veritas/server';
import type { Command } from '../main';
import { configFromFlags, describeStorage } from './serve';
import { seedDemo } from '../demo-seed';

export const demo: Command = {
  summary: 'Seed the demo sessions (simulated writing, proctoring and sensor sessions) into the database.',
  usage: 'veritas demo [--data DIR]',
  options: { data: { type: 'string' } },
  async run({ values }) {
    const config = configFromFlags(values);
    const { database, unlock } = await openDatabase(config);
    try {
      await migrateToLatest(database.db);
      const app = await buildApp({ config, database, logger: false });
      const n = await seedDemo(app.services);
      await app.close();
      console.log(n > 0 ? `seeded ${n} demo sessions into ${describeStorage(config)}` : `demo sessions already present in ${describeStorage(config)}`);
      return 0;
    } finally {
      await database.close();
      unlock();
    }
  },
};
