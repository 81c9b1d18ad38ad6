import { resolve } from 'node:path';
import { BackupError, DataDirInUseError, lockDataDir, restoreBackup } from '@veritas/server';
import type { Command } from '../main';
import { configFromFlags } from './serve';

export const restore: Command = {
  summary: 'Restore a backup made by `veritas backup` into a new data folder (after checking every file against its manifest).',
  usage: 'veritas restore --from DIR [--data DIR]',
  options: { from: { type: 'string' }, data: { type: 'string' } },
  async run({ values }) {
    if (typeof values.from !== 'string') {
      console.error('veritas restore: --from DIR is required (a folder made by veritas backup)');
      return 2;
    }
    const config = configFromFlags(values);
    if (config.databaseUrl) {
      console.error('veritas restore: this restores the embedded database; for PostgreSQL use pg_restore (see the README, "Backups")');
      return 2;
    }
    const dataDir = config.dataDir;
    if (!dataDir) {
      console.error('veritas restore: no data folder (give --data DIR or VERITAS_DATA_DIR)');
      return 2;
    }
    let unlock: () => void;
    try {
      unlock = lockDataDir(dataDir);
    } catch (err) {
      if (err instanceof DataDirInUseError) {
        console.error(`veritas restore: ${err.message}`);
        return 1;
      }
      throw err;
    }
    try {
      const manifest = await restoreBackup(resolve(values.from), dataDir, config.blob.driver === 'fs' ? config.blob.dir : undefined);
      console.log(`restored ${manifest.files.length} files (backup of ${manifest.createdAt}) into ${dataDir}; start it with: veritas serve --data ${dataDir}`);
      return 0;
    } catch (err) {
      if (err instanceof BackupError) {
        console.error(`veritas restore: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      unlock();
    }
  },
};
