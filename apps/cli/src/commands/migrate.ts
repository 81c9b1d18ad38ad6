import { withMigratedDatabase } from '../with-database';
import type { Command } from '../main';
import { configFromFlags, describeStorage } from './serve';

export const migrate: Command = {
  summary: 'Bring the database to the latest schema (serve also does this on start).',
  usage: 'veritas migrate [--data DIR]',
  options: { data: { type: 'string' } },
  async run({ values }) {
    const config = configFromFlags(values);
    const applied = await withMigratedDatabase(config, async (_database, applied) => applied);
    console.log(applied.length ? `applied ${applied.join(', ')} on ${describeStorage(config)}` : `already up to date: ${describeStorage(config)}`);
    return 0;
  },
};
