import { ANONYMOUS } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import { randomToken, type AuthService, type SignedIn } from '../auth';
import type { UserRow } from '../people';
import { examClassIds, findExam, setExamClasses } from '../exams';
import { EXAM_PARAMETER, mapRoles, RESOURCE_LINK_REQUEST } from './lti-claims';
import { LtiRefusal, refuse, verifyIdToken, type LaunchClaims, type PlatformKeys } from './lti-id-token';
import { ltiActorOf, resolveLtiAccount, resolveLtiClass } from './lti-accounts';
import { enterDeepLinking } from './lti-deep-linking.service';
import { findRegistration, findRegistrationById, insertLogin, purgeExpiredLogins, takeLogin, type LtiRegistrationRow } from './lti.repository';

/** A login initiation's state and nonce last ten minutes and work once. */
export const LTI_LOGIN_TTL_MS = 10 * 60 * 1000;

/** What the LMS sends to the login-initiation URL (LTI 1.3 Core §4.1, OIDC third-party initiated login). */
export interface LoginParams {
  iss: string;
  login_hint: string;
  target_link_uri: string;
  lti_message_hint?: string | undefined;
  lti_deployment_id?: string | undefined;
  client_id?: string | undefined;
}

export interface Launched {
  signedIn: SignedIn;
  /** Where the browser goes: the exam or its dashboard, with `?lti=<registration>` (the page may be framed by that LMS). */
  location: string;
  registration: LtiRegistrationRow;
}

export interface LtiLaunchDeps {
  database: Database;
  audit: AuditService;
  auth: AuthService;
  keys: PlatformKeys;
  clock: () => Date;
  /** After a resource-link launch succeeded: its LTI Advantage service endpoints are kept (lti-services.ts). */
  onLaunched?: (registration: LtiRegistrationRow, claims: LaunchClaims, user: UserRow) => Promise<void>;
}

/** OIDC third-party login initiation and the resource-link launch (LTI 1.3 Core, the IMS Security Framework). */
export function createLtiLaunch({ database, audit, auth, keys, clock, onLaunched }: LtiLaunchDeps) {
  const db = database.db;

  /**
   * The LMS starts a launch: checks that the registration is this platform's, keeps a state and a nonce
   * (single use, ten minutes) and answers the platform's auth endpoint URL the browser goes to
   * (response_type id_token, response_mode form_post, prompt none).
   */
  async function login(registrationId: string, params: LoginParams, launchUrl: string): Promise<string> {
    const registration = await guard(findRegistrationById(db, registrationId));
    if (!registration) throw new AppError('lti-not-registered', 'no LTI registration has this login-initiation URL; copy it again from Veritas’s LTI page');
    if (params.iss !== registration.issuer) refuse('issuer', `the issuer "${params.iss}" is not the one registered at this URL`);
    if (params.client_id !== undefined && params.client_id !== registration.client_id)
      refuse('client-id', 'the client id is not the one registered at this URL');
    if (params.lti_deployment_id !== undefined && !registration.deployment_ids.includes(params.lti_deployment_id))
      refuse('deployment', `the deployment "${params.lti_deployment_id}" is not registered for this platform; add it on the LTI page`);
    const state = randomToken();
    const nonce = randomToken();
    const now = clock();
    const tenant = tenantId(registration.tenant_id);
    await guard(purgeExpiredLogins(db, tenant, now));
    await guard(
      insertLogin(db, {
        state,
        nonce,
        tenant_id: tenant,
        registration_id: registration.id,
        target_link_uri: params.target_link_uri,
        expires_at: new Date(now.getTime() + LTI_LOGIN_TTL_MS),
      }),
    );
    const url = new URL(registration.auth_endpoint);
    const query: Record<string, string | undefined> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: registration.client_id,
      redirect_uri: launchUrl,
      login_hint: params.login_hint,
      lti_message_hint: params.lti_message_hint,
      state,
      nonce,
    };
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return url.href;
  }

  /**
   * The platform posts the id token back: takes the login its state names (once), verifies the token
   * against the registration, finds or makes the account and the course's class, signs the person in.
   * A refusal of a known login is audited in its tenant.
   */
  async function launch(form: { id_token: string; state: string }, context: RequestContext): Promise<Launched> {
    const login = await guard(takeLogin(db, form.state));
    if (!login) throw new AppError('lti-state-invalid', 'this launch is unknown or was already used (a replay): launch again from the LMS');
    const tenant = tenantId(login.tenant_id);
    let seen: { sub?: string } = {};
    try {
      const now = clock();
      if (login.expires_at <= now) throw new AppError('lti-state-invalid', 'this launch took longer than 10 minutes: launch again from the LMS');
      const registration = await guard(findRegistration(db, tenant, login.registration_id));
      if (!registration) throw new AppError('lti-not-registered', 'the LMS’s registration was removed meanwhile');
      const claims = await verifyIdToken(form.id_token, registration, { nonce: login.nonce, now, keys: keys(registration.jwks_url) });
      seen = { sub: claims.sub };
      const role = mapRoles(claims.roles);
      if (!role) refuse('roles', 'none of the launch’s roles is Learner, Instructor or Administrator');
      // A deep-linking request opens the exam picker (lti-deep-linking.service.ts); a resource link, its exam.
      const { user, location } =
        claims.messageType === RESOURCE_LINK_REQUEST
          ? await enter(registration, claims, role!, context)
          : await enterDeepLinking({ db, audit, clock }, registration, claims, role!, context);
      const signedIn = await auth.signIn(user, 'lti', context);
      await audit.record({
        tenantId: tenant,
        actor: ltiActorOf(user),
        action: 'lti.launch',
        resource: { type: 'user', id: user.id },
        context,
        detail: { registrationId: registration.id, sub: claims.sub, deploymentId: claims.deploymentId, resourceLinkId: claims.resourceLink?.id ?? null },
      });
      if (onLaunched) await onLaunched(registration, claims, user);
      return { signedIn, location, registration };
    } catch (err) {
      const reason = err instanceof LtiRefusal ? err.reason : err instanceof AppError ? err.code : 'internal';
      await audit
        .record({
          tenantId: tenant,
          actor: ANONYMOUS,
          action: 'lti.launch-refused',
          resource: { type: 'lti-registration', id: login.registration_id },
          context,
          detail: { reason, ...seen },
        })
        .catch(() => undefined);
      throw err;
    }
  }

  /** The account, the course's class and the exam the launch opens, in one transaction; where the browser goes. */
  async function enter(registration: LtiRegistrationRow, claims: LaunchClaims, role: NonNullable<ReturnType<typeof mapRoles>>, context: RequestContext) {
    const tenant = tenantId(registration.tenant_id);
    const examId = claims.custom[EXAM_PARAMETER];
    return db
      .transaction()
      .execute(async (trx) => {
        const user = await resolveLtiAccount(trx, audit, registration, claims, role, context);
        const classId = await resolveLtiClass(trx, audit, registration, claims, user, context);
        const frame = `lti=${encodeURIComponent(registration.id)}`;
        if (!examId) return { user, location: `${user.role === 'student' ? '/my/exams' : '/exams'}?${frame}` };
        const reach =
          user.role === 'admin' ? { kind: 'all' as const } : user.role === 'teacher' ? { kind: 'teacher' as const, userId: user.id } : { kind: 'all' as const };
        const exam = await findExam(trx, tenant, examId, reach);
        if (!exam) refuse('exam', 'the exam this link opens is not one of this institution’s, or not yours');
        if (user.role === 'student') return { user, location: `/my/exams/${encodeURIComponent(exam!.id)}/take?${frame}` };
        // A teacher's launch puts the course's class on the exam, so its learners may take it.
        if (classId) {
          const current = (await examClassIds(trx, tenant, [exam!.id])).get(exam!.id) ?? [];
          if (!current.includes(classId)) {
            await setExamClasses(trx, tenant, exam!.id, [...current, classId]);
            await audit.record(
              {
                tenantId: tenant,
                actor: ltiActorOf(user),
                action: 'lti.exam-class-add',
                resource: { type: 'exam', id: exam!.id },
                context,
                detail: { classId, contextId: claims.context?.id ?? null },
              },
              trx,
            );
          }
        }
        return { user, location: `/exams/${encodeURIComponent(exam!.id)}/analytics?${frame}` };
      })
      .catch((err: unknown) => {
        if (err instanceof AppError) throw err;
        if ((err as { code?: unknown }).code === '23505') refuse('concurrent', 'another launch for this person was in progress; launch again');
        return rethrowUnavailable(err);
      });
  }

  /** The origins that may frame a page a launch of this registration opened (frame-ancestors), or none for an unknown id. */
  async function frameOrigins(registrationId: string): Promise<string[]> {
    const registration = await findRegistrationById(db, registrationId).catch(() => undefined);
    return registration?.frame_origins ?? [];
  }

  return { login, launch, frameOrigins };
}
export type LtiLaunch = ReturnType<typeof createLtiLaunch>;
