import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { BackupError, controlSocketOf, DataDirInUseError, lockDataDir, openPglite, writeBackup, type BackupManifest, type Config } from '@veritas/server';
import type { Command } from '../main';
import { configFromFlags } from './serve';

/** Asks the embedded server running on the data folder for a backup, through its control socket. */
function backupThroughServer(dataDir: string, out: string): Promise<BackupManifest> {
  return new Promise((done, fail) => {
    const req = request({ socketPath: controlSocketOf(dataDir), method: 'POST', path: '/backup', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          const answer = JSON.parse(body) as BackupManifest & { error?: string };
          if (res.statusCode === 200) done(answer);
          else fail(new BackupError(answer.error ?? `the server answered ${res.statusCode}`));
        } catch {
          fail(new BackupError(`the server answered ${res.statusCode} without JSON`));
        }
      });
    });
    req.on('error', (err) =>
      fail(new BackupError(`the server holding ${dataDir} did not answer on its control socket (${err.message}); is it a version with backups?`)),
    );
    req.end(JSON.stringify({ out }));
  });
}

const blobDirOf = (config: Config) => (config.blob.driver === 'fs' ? config.blob.dir : undefined);

export const backup: Command = {
  summary: 'Copy the embedded database and its blob files into a new folder, consistently, even while the server runs.',
  usage: 'veritas backup --out DIR [--data DIR]',
  options: { out: { type: 'string' }, data: { type: 'string' } },
  async run({ values }) {
    if (typeof values.out !== 'string') {
      console.error('veritas backup: --out DIR is required (a new or empty folder)');
      return 2;
    }
    const config = configFromFlags(values);
    if (config.databaseUrl) {
      console.error('veritas backup: this copies the embedded database; for PostgreSQL use pg_dump (see the README, "Backups")');
      return 2;
    }
    const dataDir = config.dataDir;
    if (!dataDir) {
      console.error('veritas backup: no data folder (give --data DIR or VERITAS_DATA_DIR)');
      return 2;
    }
    const out = resolve(values.out);
    try {
      let manifest: BackupManifest;
      let unlock: (() => void) | undefined;
      try {
        unlock = lockDataDir(dataDir);
      } catch (err) {
        if (!(err instanceof DataDirInUseError)) throw err;
      }
      if (unlock) {
        // Nobody serves this folder: open it here.
        try {
          const database = await openPglite(join(dataDir, 'pglite'));
          try {
            manifest = await writeBackup(database, blobDirOf(config), out);
          } finally {
            await database.close();
          }
        } finally {
          unlock();
        }
      } else {
        manifest = await backupThroughServer(dataDir, out);
      }
      const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
      console.log(
        `backed up ${dataDir} into ${out}: ${manifest.files.length} files, ${bytes} bytes${manifest.blobs === 'not-local' ? ' (blobs are in object storage, not copied)' : ''}`,
      );
      return 0;
    } catch (err) {
      if (err instanceof BackupError) {
        console.error(`veritas backup: ${err.message}`);
        return 1;
      }
      throw err;
    }
  },
};
