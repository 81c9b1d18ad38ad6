import { writeFile } from 'node:fs/promises';
import { API_SCHEMA_PATH, renderApiSchema } from './api-schema';

// `npm run client` (also run by `npm run openapi`): regenerates the web client's types from docs/openapi.json.
await writeFile(API_SCHEMA_PATH, await renderApiSchema());
console.log(`wrote ${API_SCHEMA_PATH}`);
