import { rotateSigningKeys } from '@veritas/server';
import { withMigratedDatabase } from '../with-database';
import type { Command } from '../main';
import { configFromFlags, describeStorage } from './serve';

const USAGE = 'veritas auth rotate-keys [--data DIR]';

export const auth: Command = {
  summary: 'Rotate the keys that sign access tokens; tokens already issued stay valid until they expire (nobody is signed out).',
  usage: USAGE,
  options: { data: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals[0] !== 'rotate-keys' || positionals.length > 1) {
      console.error(`veritas auth: the only subcommand is "rotate-keys"\nUsage: ${USAGE}`);
      return 2;
    }
    const config = configFromFlags(values);
    const kid = await withMigratedDatabase(config, (database) => rotateSigningKeys(database));
    console.log(
      `new signing key ${kid} in ${describeStorage(config)}; running servers sign with it within a minute and keep verifying tokens of the old key until they expire`,
    );
    return 0;
  },
};
