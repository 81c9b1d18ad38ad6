import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from './test-app';
import { buildPerson, buildTenant, type Person } from './people';
import { createExam } from './exam-live';
import type { TenantRow } from '../modules/people';
import { CLAIM } from '../modules/lti/lti-claims';
import { launch, type LaunchResult } from '../modules/lti/testing/lti-flow';
import { registerPlatform } from './lti-registration';
import { startLmsServices, startTestPlatform, type LaunchSpec, type LmsServices, type TestPlatform } from '../modules/lti/testing/test-platform';

/**
 * The world of the LTI Advantage tests: a Veritas listening on a known port (its public URL, which the
 * links it sends to the LMS carry), a test LMS (launches) with its services (token, AGS, NRPS) on their
 * own server, a tenant with an admin and a teacher (who owns an exam), and the LMS registered. Tests only.
 */
export interface AdvantageWorld {
  t: TestApp;
  base: string;
  platform: TestPlatform;
  lms: LmsServices;
  tenant: TenantRow;
  admin: Person;
  teacher: Person;
  examId: string;
  registrationId: string;
  loginUrl: string;
  course: { id: string; title: string };
  /** A launch from the course, with the AGS claim (the course's line items container, scopes lineitem and score) and the NRPS claim. */
  launchFromCourse(spec: Omit<LaunchSpec, 'context'>, claims?: { ags?: Record<string, unknown> | undefined }): Promise<LaunchResult>;
  /** A person signed in as the account an LMS user's launch made or linked. */
  personOf(sub: string): Promise<Person>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function buildAdvantageWorld(): Promise<AdvantageWorld> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ rateLimit: { anonymousPerMinute: 10_000 }, publicUrl: base });
  await t.app.listen({ host: '127.0.0.1', port });
  const platform = await startTestPlatform();
  const lms = await startLmsServices({ clientId: platform.clientId });
  platform.toolJwksUrl = lms.toolJwksUrl = `${base}/v1/lti/jwks`;
  const tenant = await buildTenant(t.app);
  const admin = await buildPerson(t.app, tenant, 'admin');
  const teacher = await buildPerson(t.app, tenant, 'teacher', { email: `teacher-${randomUUID()}@school.test` });
  await t.app.inject({ method: 'POST', url: '/v1/classes', headers: teacher.headers, payload: { name: 'Own class' } });
  const examId = await createExam(t.app, teacher);
  const { id: registrationId, loginUrl } = await registerPlatform(t.app, admin, platform, { tokenEndpoint: lms.tokenEndpoint });
  const course = { id: `course-${randomUUID()}`, title: 'Rivers 101' };
  const db = t.app.services.database.db;

  return {
    t,
    base,
    platform,
    lms,
    tenant,
    admin,
    teacher,
    examId,
    registrationId,
    loginUrl,
    course,
    launchFromCourse(spec, claims = {}) {
      const ags = 'ags' in claims ? claims.ags : { scope: [`${AGS}lineitem`, `${AGS}score`], lineitems: lms.lineitemsUrl(course.id) };
      return launch(loginUrl, platform, {
        custom: { veritas_exam_id: examId },
        ...spec,
        context: course,
        override: {
          [CLAIM.ags]: ags,
          [CLAIM.nrps]: { context_memberships_url: lms.membershipsUrl(course.id), service_versions: ['2.0'] },
          ...spec.override,
        },
      });
    },
    async personOf(sub) {
      const account = await db
        .selectFrom('lti_accounts')
        .select('user_id')
        .where('sub', '=', sub)
        .where('registration_id', '=', registrationId)
        .executeTakeFirstOrThrow();
      const user = await db.selectFrom('users').selectAll().where('id', '=', account.user_id).executeTakeFirstOrThrow();
      const { token } = await t.app.services.accessTokens.issue(user, 'lti');
      return { user, token, headers: { authorization: `Bearer ${token}` } };
    },
    async close() {
      await lms.close();
      await platform.close();
      await t.close();
    },
  };
}

const AGS = 'https://purl.imsglobal.org/spec/lti-ags/scope/';
