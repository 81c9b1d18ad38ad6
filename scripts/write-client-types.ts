import { writeFile } from 'node:fs/promises';
import { CLIENT_TYPES_PATH, renderClientTypes } from './client-types';

// `npm run client` (also run by `npm run openapi`): regenerates @veritas/client's types from docs/openapi.json.
await writeFile(CLIENT_TYPES_PATH, await renderClientTypes());
console.log(`wrote ${CLIENT_TYPES_PATH}`);
