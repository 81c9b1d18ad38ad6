import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from './test-app';
import type { Person } from './people';
import { startTestPlatform, type TestPlatform } from '../modules/lti/testing/test-platform';

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

/**
 * Veritas listening on a free port with a stand-in web app (the launch serves pages), and a test LMS
 * that checks client assertions against this Veritas's JWKS: where the LTI launch tests start.
 */
export async function startToolAndPlatform(): Promise<{ t: TestApp; base: string; platform: TestPlatform }> {
  const webDist = mkdtempSync(join(tmpdir(), 'veritas-lti-web-'));
  writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>Veritas</title>');
  const t = await createTestApp({ rateLimit: { anonymousPerMinute: 10_000 }, webDist });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  const platform = await startTestPlatform();
  platform.toolJwksUrl = `${base}/v1/lti/jwks`;
  return { t, base, platform };
}
