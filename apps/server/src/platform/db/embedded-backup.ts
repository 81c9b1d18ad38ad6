import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from './database';

/**
 * Backups of the embedded default: a folder holding the database (PGlite's gzipped tar, taken on its
 * only connection: consistent while serving), the blob files, and a manifest with every file's size
 * and SHA-256, checked before anything is restored. A folder rather than one archive: no archive
 * library is needed, and any file tool can copy or inspect it.
 */
export const BACKUP_FORMAT = 'veritas-embedded-backup/1';
const DATABASE_FILE = 'database.tar.gz';
const MANIFEST = 'manifest.json';
/** The blob store's folder of half-written files (file-blob-store.ts): never part of a copy. */
const BLOB_TEMP = '.tmp';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  /** Whether the blob files are in the backup: with an S3 store they live there, not here. */
  blobs: 'included' | 'not-local';
  files: { path: string; bytes: number; sha256: string }[];
}

export class BackupError extends Error {
  override readonly name = 'BackupError';
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Writes a backup of the running embedded database (and the blob folder, when blobs are local) into `outDir`, which must be new or empty. */
export async function writeBackup(database: Database, blobDir: string | undefined, outDir: string): Promise<BackupManifest> {
  if (!database.dump) throw new BackupError('only the embedded database (PGlite) is backed up this way; back PostgreSQL up with pg_dump (see the README)');
  if (!(await isEmptyOrMissing(outDir))) throw new BackupError(`${outDir} is not empty: give a new folder`);
  await mkdir(outDir, { recursive: true });
  // The database first: every blob it names was written before the row that names it, so it is in the copy below.
  await writeFile(join(outDir, DATABASE_FILE), Buffer.from(await (await database.dump()).arrayBuffer()));
  let blobs: BackupManifest['blobs'] = 'not-local';
  if (blobDir !== undefined) {
    blobs = 'included';
    if (!(await isEmptyOrMissing(blobDir))) {
      await cp(blobDir, join(outDir, 'blobs'), { recursive: true, filter: (src) => !relative(blobDir, src).split(sep).includes(BLOB_TEMP) });
    }
  }
  const files: BackupManifest['files'] = [];
  for (const file of (await filesUnder(outDir)).sort()) {
    const data = await readFile(file);
    files.push({ path: relative(outDir, file).split(sep).join('/'), bytes: data.length, sha256: sha256(data) });
  }
  const manifest: BackupManifest = { format: BACKUP_FORMAT, createdAt: new Date().toISOString(), blobs, files };
  await writeFile(join(outDir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Reads a backup's manifest and checks every file against it (size and SHA-256; nothing missing, nothing extra). */
export async function checkBackup(fromDir: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(join(fromDir, MANIFEST), 'utf8')) as BackupManifest;
  } catch (err) {
    throw new BackupError(`${fromDir} holds no readable ${MANIFEST}: ${(err as Error).message}`);
  }
  if (manifest.format !== BACKUP_FORMAT)
    throw new BackupError(`${fromDir}: unknown backup format ${JSON.stringify(manifest.format)} (this version reads ${BACKUP_FORMAT})`);
  const present = new Set((await filesUnder(fromDir)).map((f) => relative(fromDir, f).split(sep).join('/')).filter((p) => p !== MANIFEST));
  for (const f of manifest.files) {
    if (!present.delete(f.path)) throw new BackupError(`${f.path} is missing from the backup`);
    const data = await readFile(join(fromDir, f.path));
    if (data.length !== f.bytes || sha256(data) !== f.sha256) throw new BackupError(`${f.path} differs from the manifest: the backup is damaged`);
  }
  if (present.size > 0) throw new BackupError(`files not in the manifest: ${[...present].join(', ')}`);
  if (!manifest.files.some((f) => f.path === DATABASE_FILE)) throw new BackupError(`the backup has no ${DATABASE_FILE}`);
  return manifest;
}

/**
 * Restores a checked backup into a data folder whose database and blob folders are empty or missing
 * (never over existing data). The server is not running on it: the caller holds the folder's lock.
 */
export async function restoreBackup(fromDir: string, dataDir: string, blobDir: string = join(dataDir, 'blobs')): Promise<BackupManifest> {
  const manifest = await checkBackup(fromDir);
  const pgliteDir = join(dataDir, 'pglite');
  if (!(await isEmptyOrMissing(pgliteDir))) throw new BackupError(`${pgliteDir} already holds a database: restore into a new data folder`);
  if (manifest.blobs === 'included' && !(await isEmptyOrMissing(blobDir))) throw new BackupError(`${blobDir} is not empty: restore into a new data folder`);
  const tar = await readFile(join(fromDir, DATABASE_FILE));
  const pglite = new PGlite(pgliteDir, { loadDataDir: new Blob([tar]) });
  await pglite.waitReady;
  await pglite.close();
  if (manifest.blobs === 'included' && (await stat(join(fromDir, 'blobs')).catch(() => undefined))) {
    await cp(join(fromDir, 'blobs'), blobDir, { recursive: true });
  }
  return manifest;
}
