import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';

/** The HTTP contract the server generates (`npm run openapi`). */
export const OPENAPI_DOCUMENT = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
/**
 * The one generated copy of its types: @veritas/client's (partners use it; the web app imports its
 * types from the package). A `.ts` file holding only types, so `tsc` emits its declarations to dist
 * (a `.d.ts` source would not be copied).
 */
export const CLIENT_TYPES_PATH = fileURLToPath(new URL('../packages/client/src/openapi.ts', import.meta.url));

/**
 * packages/client/src/openapi.ts as docs/openapi.json makes it: openapi-typescript's output, formatted
 * with the repository's Prettier settings so `prettier --check` and the staleness test agree.
 */
export async function renderClientTypes(): Promise<string> {
  const document: unknown = JSON.parse(await readFile(OPENAPI_DOCUMENT, 'utf8'));
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0]);
  const options = (await resolveConfig(CLIENT_TYPES_PATH)) ?? {};
  return format(COMMENT_HEADER + astToString(ast), { ...options, filepath: CLIENT_TYPES_PATH });
}
