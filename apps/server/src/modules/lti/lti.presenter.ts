import type { Static } from '@sinclair/typebox';
import type { LtiRegistrationRow } from './lti.repository';
import type { RegistrationView, ToolUrls } from './lti.schemas';

export const LAUNCH_PATH = '/v1/lti/launch';
export const JWKS_PATH = '/v1/lti/jwks';
export const loginPath = (registrationId: string) => `/v1/lti/${registrationId}/login`;

export function presentRegistration(row: LtiRegistrationRow, base: string): Static<typeof RegistrationView> {
  return {
    id: row.id,
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    deploymentIds: row.deployment_ids,
    jwksUrl: row.jwks_url,
    authEndpoint: row.auth_endpoint,
    tokenEndpoint: row.token_endpoint,
    frameOrigins: row.frame_origins,
    loginUrl: `${base}${loginPath(row.id)}`,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentTool(base: string): Static<typeof ToolUrls> {
  return {
    launchUrl: `${base}${LAUNCH_PATH}`,
    jwksUrl: `${base}${JWKS_PATH}`,
    loginUrlTemplate: `${base}${loginPath('{registrationId}')}`,
    // Deep linking (Deep Linking 2.0) comes in through the same launch URL: its message type tells it apart.
    deepLinkingUrl: `${base}${LAUNCH_PATH}`,
  };
}
