import { Type } from '@sinclair/typebox';
import { Text } from '@veritas/schema';

const Url = (description: string) => Text({ minLength: 1, maxLength: 2048, description });

export const RegistrationParams = Type.Object({ registrationId: Type.String({ format: 'uuid' }) });

export const RegistrationBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200, description: 'What the institution calls this LMS (shown on the LTI page)' }),
    issuer: Url('The platform’s issuer (`iss`), e.g. https://canvas.instructure.com'),
    clientId: Text({ minLength: 1, maxLength: 255, description: 'The client id the LMS gave Veritas' }),
    deploymentIds: Type.Array(Text({ minLength: 1, maxLength: 255 }), {
      minItems: 1,
      maxItems: 50,
      description: 'The deployment ids a launch may carry (one per place the LMS installed Veritas)',
    }),
    jwksUrl: Url('The platform’s public keys (JWKS URL)'),
    authEndpoint: Url('The platform’s OIDC authorization endpoint (where the login initiation sends the browser)'),
    tokenEndpoint: Url('The platform’s OAuth 2 token endpoint (client credentials, for LTI Advantage services)'),
    frameOrigins: Type.Optional(
      Type.Array(Url('An origin'), {
        maxItems: 10,
        description: 'Origins whose pages may frame what a launch opens (frame-ancestors). Default: the issuer’s and the auth endpoint’s origins.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RegistrationView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  issuer: Type.String(),
  clientId: Type.String(),
  deploymentIds: Type.Array(Type.String()),
  jwksUrl: Type.String(),
  authEndpoint: Type.String(),
  tokenEndpoint: Type.String(),
  frameOrigins: Type.Array(Type.String()),
  loginUrl: Type.String({ description: 'Veritas’s login-initiation URL for this registration: paste it into the LMS' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const ToolUrls = Type.Object({
  launchUrl: Type.String({ description: 'The redirect (launch) URL: where the LMS posts the id token' }),
  jwksUrl: Type.String({ description: 'Veritas’s public keys (JWKS URL)' }),
  loginUrlTemplate: Type.String({ description: 'Each registration has its own login-initiation URL (`loginUrl`)' }),
  deepLinkingUrl: Type.String({ description: 'The deep-linking (content selection) URL: the launch URL, which tells deep-linking requests apart' }),
});

export const LtiSettingsView = Type.Object({
  tool: ToolUrls,
  registrations: Type.Array(RegistrationView),
});

export const Jwks = Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) });

/** What the LMS sends to the login-initiation URL (query of a GET, or form body of a POST). */
export const LoginParamsSchema = Type.Object({
  iss: Text({ minLength: 1, maxLength: 2048 }),
  login_hint: Text({ minLength: 1, maxLength: 2048 }),
  target_link_uri: Text({ minLength: 1, maxLength: 2048 }),
  lti_message_hint: Type.Optional(Text({ maxLength: 4096 })),
  lti_deployment_id: Type.Optional(Text({ maxLength: 255 })),
  client_id: Type.Optional(Text({ maxLength: 255 })),
  lti_storage_target: Type.Optional(Text({ maxLength: 255 })),
});

export const LaunchBody = Type.Object({
  id_token: Text({ minLength: 1, maxLength: 65536 }),
  state: Text({ minLength: 1, maxLength: 512 }),
});
