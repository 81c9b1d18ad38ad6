import { createServer, type Server } from 'node:http';
import { rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Database } from '../platform/db/database';
import { BackupError, writeBackup } from '../platform/db/embedded-backup';

/** The embedded server's local control socket, inside its data folder. */
export const controlSocketOf = (dataDir: string) => join(dataDir, 'control.sock');

/**
 * A Unix socket in the data folder through which `veritas backup` asks the running embedded server
 * for a consistent copy (PGlite serves one process, so no other process may open the folder). Only
 * who may read the data folder reaches the socket: the same people who could copy the files.
 * One request: `POST /backup` with `{"out": "<absolute folder>"}`; answers the manifest or `{error}`.
 */
export async function startControlSocket(dataDir: string, database: Database, blobDir: string | undefined): Promise<{ close(): Promise<void> }> {
  const path = controlSocketOf(dataDir);
  // A socket file left by a killed server: the caller holds the folder's lock, so it is nobody's.
  await rm(path, { force: true });
  const server: Server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'POST' || req.url !== '/backup') return answer(404, { error: 'only POST /backup' });
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      raw += d;
      if (raw.length > 4096) req.destroy();
    });
    req.on('end', () => {
      let out: unknown;
      try {
        out = (JSON.parse(raw) as { out?: unknown }).out;
      } catch {
        return answer(400, { error: 'the body must be JSON: {"out": "<folder>"}' });
      }
      if (typeof out !== 'string' || !isAbsolute(out)) return answer(400, { error: '"out" must be an absolute folder path' });
      writeBackup(database, blobDir, out).then(
        (manifest) => answer(200, manifest),
        (err: unknown) => answer(err instanceof BackupError ? 409 : 500, { error: (err as Error).message }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    close: () => new Promise<void>((resolve) => server.close(() => void rm(path, { force: true }).then(() => resolve()))),
  };
}
