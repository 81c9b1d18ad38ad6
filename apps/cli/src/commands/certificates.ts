import { rotateCertificateKeys } from '@veritas/server';
import { withMigratedDatabase } from '../with-database';
import type { Command } from '../main';
import { configFromFlags, describeStorage } from './serve';

const USAGE = 'veritas certificates rotate-keys [--data DIR]';

export const certificates: Command = {
  summary:
    'Rotate the key that signs certificates; the old public keys stay published at /.well-known/jwks.json, so every certificate already issued still verifies.',
  usage: USAGE,
  options: { data: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals[0] !== 'rotate-keys' || positionals.length > 1) {
      console.error(`veritas certificates: the only subcommand is "rotate-keys"\nUsage: ${USAGE}`);
      return 2;
    }
    const config = configFromFlags(values);
    const kid = await withMigratedDatabase(config, (database) =>
      rotateCertificateKeys(database, config.certificateKeyFile ? { keyFile: config.certificateKeyFile } : {}),
    );
    console.log(
      `new certificate key ${kid} in ${describeStorage(config)}; running servers sign certificates with it within a minute, and the old keys stay published`,
    );
    return 0;
  },
};
