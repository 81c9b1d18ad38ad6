import { sql } from 'kysely';
import type { Scope } from '../../kernel/scope';

/** The one tenant filter every repository applies: the public scope sees only tenant-less rows. */
export const inScope = (scope: Scope) => (scope.tenantId === null ? sql<boolean>`tenant_id is null` : sql<boolean>`tenant_id = ${scope.tenantId}`);
