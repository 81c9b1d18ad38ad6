/** API keys of a tenant for partner platforms: issued once, stored hashed, resolved to api-key actors by the auth plugin. */
export { apiKeysRoutes } from './api-keys.routes';
export { findApiKey } from './api-keys.repository';
export { createApiKeysService, newApiKey, hashApiKey, LAST_USED_EVERY_MS, type ApiKeysService } from './api-keys.service';
