import { readFile } from 'node:fs/promises';
import { idfxToBundle, IdfxError } from '@veritas/schema/idfx';
import type { Command } from '../main';

/** The largest IDFX file read (an hour of typing is a few MB; the bundle's own limits apply after). */
const MAX_BYTES = 512 * 1024 * 1024;

/** `veritas import-idfx log.idfx > bundle.json`: an IDFX keystroke log (Inputlog XML) as a v1 bundle. */
export const importIdfx: Command = {
  summary:
    'Turn an IDFX log (Inputlog XML) into a v1 bundle on standard output: a log Veritas exported gives its session back event for event; ' +
    "any other is read from its keyboard, replacement and insert events (keys and text changes; declared as capturing nothing else). --idfx-only reads a Veritas log's IDFX parts alone.",
  usage: 'veritas import-idfx [--idfx-only] [--created-at ISO] log.idfx > bundle.json',
  options: { 'idfx-only': { type: 'boolean' }, 'created-at': { type: 'string' } },
  async run({ values, positionals }) {
    const file = positionals[0];
    if (!file) throw new Error('give an IDFX file');
    const bytes = await readFile(file);
    if (bytes.length > MAX_BYTES) throw new Error(`${file} is larger than ${MAX_BYTES} bytes`);
    const createdAt = typeof values['created-at'] === 'string' ? values['created-at'] : undefined;
    if (createdAt !== undefined && Number.isNaN(Date.parse(createdAt))) throw new Error('--created-at is not a date-time');
    try {
      const bundle = await idfxToBundle(bytes.toString('utf8'), {
        exact: values['idfx-only'] !== true,
        // A log that does not say when it started gets the time it is imported, unless told.
        createdAt: createdAt ? new Date(createdAt).toISOString() : new Date().toISOString(),
      });
      console.log(JSON.stringify(bundle));
      return 0;
    } catch (err) {
      if (err instanceof IdfxError) {
        console.error(`veritas import-idfx: ${file}: ${err.message}`);
        return 1;
      }
      throw err;
    }
  },
};
