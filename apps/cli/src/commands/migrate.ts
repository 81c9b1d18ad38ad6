import { migrateToLatest, openDatabase } from '@veritas/server';
import type { Command } from '../main';
import { configFromFlags, describeStorage } from './serve';

export const migrate: Command = {
  summary: 'Bring the database to the latest schema (serve also does this on start).',
  usage: 'veritas migrate [--data DIR]',
  options: { data: { type: 'string' } },
  async run({ values }) {
    const config = configFromFlags(values);
    const { database, unlock } = await openDatabase(config);
    try {
      const applied = await migrateToLatest(database.db);
      console.log(applied.length ? `applied ${applied.join(', ')} on ${describeStorage(config)}` : `already up to date: ${describeStorage(config)}`);
      return 0;
    } finally {
      await database.close();
      unlock();
    }
  },
};
