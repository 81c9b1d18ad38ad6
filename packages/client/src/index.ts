export { createVeritasClient, ok, type Credential, type VeritasClient, type VeritasClientOptions } from './client';
export { VeritasProblem, problemOf, retryAfterOf, type Problem } from './problem';
export { IDEMPOTENCY_HEADER, idempotent, newIdempotencyKey } from './idempotency';
export type { components, operations, paths } from './openapi';
