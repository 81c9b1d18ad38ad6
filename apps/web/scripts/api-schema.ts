import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';

/** The HTTP contract the server generates (`npm run openapi`), and the types the web client is checked against. */
export const OPENAPI_DOCUMENT = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));
export const API_SCHEMA_PATH = fileURLToPath(new URL('../src/api/schema.d.ts', import.meta.url));

/**
 * apps/web/src/api/schema.d.ts as docs/openapi.json makes it: openapi-typescript's output, formatted
 * with the repository's Prettier settings so `prettier --check` and the staleness test agree.
 */
export async function renderApiSchema(): Promise<string> {
  const document: unknown = JSON.parse(await readFile(OPENAPI_DOCUMENT, 'utf8'));
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0]);
  const options = (await resolveConfig(API_SCHEMA_PATH)) ?? {};
  return format(COMMENT_HEADER + astToString(ast), { ...options, filepath: API_SCHEMA_PATH });
}
