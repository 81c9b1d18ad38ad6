import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../../kernel/errors';
import { CLAIM, DEEP_LINKING_REQUEST, LTI_VERSION, RESOURCE_LINK_REQUEST } from './lti-claims';
import type { LtiRegistrationRow } from './lti.repository';
import { LTI_ALG } from './tool-keys';

/** A refused launch: the problem the browser sees, and the rule that refused it (audited, and in the problem as `reason`). */
export class LtiRefusal extends AppError {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super('lti-launch-refused', detail, { reason });
  }
}
export const refuse = (reason: string, detail: string): never => {
  throw new LtiRefusal(reason, detail);
};

/** What Veritas reads from a verified launch. */
export interface LaunchClaims {
  sub: string;
  messageType: typeof RESOURCE_LINK_REQUEST | typeof DEEP_LINKING_REQUEST;
  deploymentId: string;
  roles: string[];
  name: string | undefined;
  email: string | undefined;
  context: { id: string; title: string | undefined } | undefined;
  resourceLink: { id: string; title: string | undefined } | undefined;
  custom: Record<string, string>;
  payload: JWTPayload;
}

/**
 * The platforms' key sets, one per JWKS URL, shared by every launch: jose fetches a set when first
 * needed, keeps it 10 minutes, and fetches again when a token names a kid it does not hold (the
 * platform rotated its keys), at most once a second. That bound matters little here: a token is
 * verified only after its state was taken, and states come from the rate-limited login initiation.
 */
export function createPlatformKeys(options: { cooldownMs?: number } = {}) {
  const sets = new Map<string, JWTVerifyGetKey>();
  return (jwksUrl: string): JWTVerifyGetKey => {
    let set = sets.get(jwksUrl);
    if (!set) {
      set = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: options.cooldownMs ?? 1000, cacheMaxAge: 600_000, timeoutDuration: 5000 });
      sets.set(jwksUrl, set);
    }
    return set;
  };
}
export type PlatformKeys = ReturnType<typeof createPlatformKeys>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * Verifies a launch's id token against the registration (LTI 1.3 Core §5.1.3, the IMS Security
 * Framework §5.1.3): RS256 only (`alg: none`, HMAC and the rest refused before any key is looked at),
 * signed by a key of the platform's JWKS, issued by the platform (`iss`) for Veritas's client id
 * (`aud`; `azp` present and equal when there are several audiences, equal whenever present), not
 * expired, the nonce of the login it answers, a deployment of the registration, a message type Veritas
 * takes, version 1.3.0.
 */
export async function verifyIdToken(
  idToken: string,
  registration: LtiRegistrationRow,
  expected: { nonce: string; now: Date; keys: JWTVerifyGetKey },
): Promise<LaunchClaims> {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(idToken).alg;
  } catch {
    refuse('malformed', 'the id token is not a JWT');
  }
  if (alg !== LTI_ALG) refuse('algorithm', `the id token is signed with "${String(alg)}"; LTI 1.3 takes RS256 only`);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, expected.keys, {
      algorithms: [LTI_ALG],
      issuer: registration.issuer,
      audience: registration.client_id,
      currentDate: expected.now,
      clockTolerance: 30,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'nonce'],
    }));
  } catch (err) {
    throw refusalOf(err);
  }
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (aud.length > 1 && payload.azp === undefined) refuse('azp', 'the id token names several audiences and no authorized party (azp)');
  if (payload.azp !== undefined && payload.azp !== registration.client_id) refuse('azp', 'the id token was authorized for another client (azp)');
  if (payload.nonce !== expected.nonce) refuse('nonce', 'the id token’s nonce is not the one this launch was started with (a replayed token)');
  const sub = str(payload.sub);
  if (!sub || sub.length > 255) refuse('subject', 'the id token names no usable subject');
  const version = payload[CLAIM.version];
  if (version !== LTI_VERSION) refuse('version', `the launch is LTI version "${String(version)}"; Veritas takes ${LTI_VERSION}`);
  const messageType = payload[CLAIM.messageType];
  if (messageType !== RESOURCE_LINK_REQUEST && messageType !== DEEP_LINKING_REQUEST)
    refuse('message-type', `the message type "${String(messageType)}" is not one Veritas takes`);
  const deploymentId = str(payload[CLAIM.deploymentId]);
  if (!deploymentId || !registration.deployment_ids.includes(deploymentId))
    refuse('deployment', `the deployment "${String(deploymentId)}" is not registered for this platform; add it on the LTI page`);
  const roles = payload[CLAIM.roles];
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) refuse('roles', 'the launch carries no roles claim');
  const context = obj(payload[CLAIM.context]);
  const link = obj(payload[CLAIM.resourceLink]);
  if (messageType === RESOURCE_LINK_REQUEST && !str(link?.id)) refuse('resource-link', 'a resource-link launch must name its resource link');
  const custom = Object.fromEntries(Object.entries(obj(payload[CLAIM.custom]) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return {
    sub: sub!,
    messageType: messageType as LaunchClaims['messageType'],
    deploymentId: deploymentId!,
    roles: roles as string[],
    name: str(payload.name) ?? ([str(payload.given_name), str(payload.family_name)].filter(Boolean).join(' ') || undefined),
    email: str(payload.email),
    context: str(context?.id) ? { id: str(context!.id)!, title: str(context!.title) ?? str(context!.label) } : undefined,
    resourceLink: str(link?.id) ? { id: str(link!.id)!, title: str(link!.title) } : undefined,
    custom,
    payload,
  };
}

function refusalOf(err: unknown): AppError {
  if (err instanceof errors.JWTExpired) return new LtiRefusal('expired', 'the id token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return new LtiRefusal('audience', 'the id token is not for this registration’s client id (aud)');
    if (err.claim === 'iss') return new LtiRefusal('issuer', 'the id token was not issued by the registered platform (iss)');
    return new LtiRefusal('claims', `the id token’s "${err.claim}" claim does not hold (${err.reason})`);
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWSSignatureVerificationFailed)
    return new LtiRefusal('signature', 'the id token is not signed by a key of the platform’s JWKS');
  if (err instanceof errors.JOSEAlgNotAllowed) return new LtiRefusal('algorithm', 'the id token’s algorithm is refused; LTI 1.3 takes RS256 only');
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err instanceof TypeError)
    return new AppError('lti-platform-unavailable', 'the platform’s JWKS could not be read; launch again later');
  if (err instanceof errors.JOSEError) return new LtiRefusal('invalid', `the id token was refused (${err.code})`);
  return err instanceof AppError ? err : new AppError('lti-platform-unavailable', 'the platform’s JWKS could not be read; launch again later');
}
