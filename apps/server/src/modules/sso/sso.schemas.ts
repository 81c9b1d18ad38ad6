import { Type } from '@sinclair/typebox';
import { Text } from '@veritas/schema';

/** An institution's slug, as in its sign-in page's address. */
export const TenantParams = Type.Object({
  tenant: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$', description: 'The institution’s slug' }),
});

export const SsoSettingsBody = Type.Object(
  {
    issuer: Text({
      minLength: 1,
      maxLength: 2048,
      description: 'The provider’s issuer identifier: an https URL (plain http only on localhost or 127.0.0.1, for development)',
    }),
    clientId: Text({ minLength: 1, maxLength: 255, description: 'The client id Veritas is registered under at the provider' }),
    clientSecret: Type.Optional(
      Type.Union([Text({ minLength: 1, maxLength: 1024 }), Type.Null()], {
        description: 'The client secret. Omitted: the stored one is kept for the same issuer and client id. null: none (a public client; PKCE alone).',
      }),
    ),
    scopes: Type.Optional(Text({ minLength: 1, maxLength: 1024, description: 'Space-separated, with openid (default "openid email profile")' })),
    createUsers: Type.Optional(
      Type.Boolean({ description: 'Whether a person the provider vouches for (with a verified address) and who has no account yet gets one, as a student' }),
    ),
  },
  { additionalProperties: false },
);

const Nullable = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

export const SsoSettingsView = Type.Object({
  configured: Type.Boolean(),
  issuer: Nullable('The provider’s issuer, as its discovery document spells it'),
  clientId: Nullable('The client id at the provider'),
  clientSecretSet: Type.Boolean({ description: 'Whether a client secret is stored (it is never shown)' }),
  scopes: Type.String(),
  createUsers: Type.Boolean(),
  redirectUri: Type.String({ description: 'The redirect URI to register at the provider' }),
  signInUrl: Type.String({ description: 'Where a sign-in with this institution’s provider starts' }),
});

export const SsoInfo = Type.Object({
  tenant: Type.String({ description: 'The institution’s slug' }),
  tenantName: Type.String(),
  enabled: Type.Boolean({ description: 'Whether the institution signs in with its identity provider' }),
  startUrl: Type.Optional(Type.String({ description: 'Where the sign-in starts (add ?returnTo=/path to come back there)' })),
});

export const StartQuery = Type.Object({
  returnTo: Type.Optional(
    Text({ maxLength: 2048, description: 'A path of this site to come back to after signing in (starts with "/", not "//"); anything else means "/"' }),
  ),
});

/** What a provider sends back (RFC 6749 §4.1.2, RFC 9207); other parameters pass through to the checks. */
export const CallbackQuery = Type.Object({
  state: Type.Optional(Text({ minLength: 1, maxLength: 512 })),
  code: Type.Optional(Text({ minLength: 1, maxLength: 4096 })),
  iss: Type.Optional(Text({ maxLength: 2048 })),
  error: Type.Optional(Text({ maxLength: 256 })),
  error_description: Type.Optional(Text({ maxLength: 2048 })),
});
