/**
 * The API's types, from the one generated copy: @veritas/client's (packages/client/src/openapi.ts,
 * written by `npm run openapi` from docs/openapi.json), the same the package gives partners.
 */
export type { components, operations, paths } from '@veritas/client';
