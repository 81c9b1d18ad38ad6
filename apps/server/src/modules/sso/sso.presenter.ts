import type { Static } from '@sinclair/typebox';
import type { TenantRow } from '../people';
import { DEFAULT_SCOPES } from './sso-config.service';
import type { SsoInfo, SsoSettingsView } from './sso.schemas';
import type { OidcProviderRow } from './sso.repository';

export const CALLBACK_PATH = '/v1/auth/sso/callback';
export const startPath = (slug: string) => `/v1/auth/sso/${slug}/start`;

/** A tenant's provider as its administrator sees it: never the secret, only whether there is one. */
export function presentSettings(tenant: TenantRow, provider: OidcProviderRow | undefined, base: string): Static<typeof SsoSettingsView> {
  return {
    configured: provider !== undefined,
    issuer: provider?.issuer ?? null,
    clientId: provider?.client_id ?? null,
    clientSecretSet: (provider?.client_secret ?? null) !== null,
    scopes: provider?.scopes ?? DEFAULT_SCOPES,
    createUsers: provider?.create_users ?? false,
    redirectUri: `${base}${CALLBACK_PATH}`,
    signInUrl: `${base}${startPath(tenant.slug)}`,
  };
}

export function presentInfo(tenant: TenantRow, enabled: boolean, base: string): Static<typeof SsoInfo> {
  return { tenant: tenant.slug, tenantName: tenant.name, enabled, ...(enabled ? { startUrl: `${base}${startPath(tenant.slug)}` } : {}) };
}
