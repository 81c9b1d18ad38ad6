import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../kernel/errors';

/** The recorder's browser build, as served: its bytes, version and Subresource Integrity hash. */
export interface SdkBuild {
  js: Buffer;
  version: string;
  /** `sha384-<base64>`, what a page puts in `integrity`. */
  integrity: string;
}

export interface SdkFiles {
  /** The build in `dir` (`index.js` and the `package.json` the build writes), read once it exists. */
  current(): Promise<SdkBuild>;
}

export const sriOf = (js: Buffer): string => `sha384-${createHash('sha384').update(js).digest('base64')}`;

/**
 * Reads the recorder's build (`node packages/recorder/build.mjs`) from its folder the first time it
 * is asked for and keeps it: a build made while the server runs is served after a restart. Until a
 * build exists every request is told how to make one.
 */
export function createSdkFiles(dir: string): SdkFiles {
  let loaded: Promise<SdkBuild> | undefined;
  async function load(): Promise<SdkBuild> {
    const [js, pkg] = await Promise.all([readFile(join(dir, 'index.js')), readFile(join(dir, 'package.json'), 'utf8')]);
    const version = (JSON.parse(pkg) as { version?: unknown }).version;
    if (typeof version !== 'string') throw new Error(`${join(dir, 'package.json')} names no version`);
    return { js, version, integrity: sriOf(js) };
  }
  return {
    current() {
      loaded ??= load().catch((err: NodeJS.ErrnoException) => {
        loaded = undefined;
        if (err.code === 'ENOENT') throw new AppError('not-found', 'the recorder SDK is not built on this server: run node packages/recorder/build.mjs');
        throw err;
      });
      return loaded;
    },
  };
}
