/**
 * Which tenant's data a piece of work may touch. Anonymous public sessions live in the public
 * scope (tenant null) and are reachable only from it; a tenant's sessions never from another's.
 */
declare const tenantBrand: unique symbol;

/** A tenant's id: a string that only `tenantId()` makes, so a session id can never pass for one. */
export type TenantId = string & { readonly [tenantBrand]: true };

export interface Scope {
  readonly tenantId: TenantId | null;
}

export function tenantId(raw: string): TenantId {
  if (raw.length === 0) throw new Error('a tenant id is not empty');
  return raw as TenantId;
}

/** The scope of anonymous public sessions. */
export const PUBLIC_SCOPE: Scope = Object.freeze({ tenantId: null });

/** A tenant's scope. */
export const tenantScope = (id: string): Scope => ({ tenantId: tenantId(id) });

/** The scope stored with a row (its tenant_id column). */
export const scopeOfRow = (row: { tenant_id: string | null }): Scope => (row.tenant_id === null ? PUBLIC_SCOPE : tenantScope(row.tenant_id));
