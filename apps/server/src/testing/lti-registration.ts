import type { TestApp } from './test-app';
import type { Person } from './people';
import type { TestPlatform } from '../modules/lti/testing/test-platform';

/** A registration as the admin page gets it back. */
export interface RegisteredPlatform {
  id: string;
  loginUrl: string;
  frameOrigins: string[];
}

/**
 * Registers the test LMS with the admin's tenant as the admin page does (`POST /v1/admin/lti/registrations`);
 * `extra` overrides fields (another token endpoint, frame origins). Anything but 201 throws with the answer.
 */
export async function registerPlatform(
  app: TestApp['app'],
  admin: Pick<Person, 'headers'>,
  platform: TestPlatform,
  extra: Record<string, unknown> = {},
): Promise<RegisteredPlatform> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/admin/lti/registrations',
    headers: admin.headers,
    payload: {
      name: 'Test LMS',
      issuer: platform.issuer,
      clientId: platform.clientId,
      deploymentIds: [platform.deploymentId],
      jwksUrl: platform.jwksUrl,
      authEndpoint: platform.authEndpoint,
      tokenEndpoint: platform.tokenEndpoint,
      ...extra,
    },
  });
  if (res.statusCode !== 201) throw new Error(`registering the LMS answered ${res.statusCode}: ${res.body}`);
  return res.json() as RegisteredPlatform;
}
