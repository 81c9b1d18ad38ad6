import { writeFile } from 'node:fs/promises';
import { OPENAPI_PATH, renderOpenApi } from './openapi-document';

// `npm run openapi`: regenerates docs/openapi.json from the route schemas.
await writeFile(OPENAPI_PATH, await renderOpenApi());
console.log(`wrote ${OPENAPI_PATH}`);
