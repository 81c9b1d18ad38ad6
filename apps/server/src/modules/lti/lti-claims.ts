import type { Role } from '../../kernel/actor';

/** Claim names of LTI 1.3 Core and LTI Advantage (IMS), as the id token carries them. */
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  custom: `${LTI}custom`,
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
} as const;

export const LTI_VERSION = '1.3.0';
export const RESOURCE_LINK_REQUEST = 'LtiResourceLinkRequest';
export const DEEP_LINKING_REQUEST = 'LtiDeepLinkingRequest';

/** The custom parameter a Veritas resource link carries: the exam it opens. */
export const EXAM_PARAMETER = 'veritas_exam_id';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';
const RANK: Record<Role, number> = { student: 1, observer: 2, teacher: 3, admin: 4 };

/**
 * The Veritas role of an LMS user, from the launch's roles (LIS v2 vocabulary): Administrator (system,
 * institution or course) is admin; Instructor (and its sub-roles, such as TeachingAssistant) is
 * teacher; Learner is student. The highest wins; none of these is undefined (the launch is refused).
 * The short names (`Instructor`) the spec deprecates are read too, as some platforms still send them.
 */
export function mapRoles(roles: readonly string[]): Role | undefined {
  let best: Role | undefined;
  for (const uri of roles) {
    const role = roleOf(uri);
    if (role && (!best || RANK[role] > RANK[best])) best = role;
  }
  return best;
}

function roleOf(uri: string): Role | undefined {
  const name = uri.startsWith(LIS) ? uri.slice(LIS.length) : uri;
  const [vocab, rest] = name.includes('#') ? (name.split('#', 2) as [string, string]) : ['membership', name];
  if (rest === 'Administrator' && ['system/person', 'institution/person', 'membership'].includes(vocab)) return 'admin';
  if (vocab === 'membership' && rest === 'Instructor') return 'teacher';
  if (vocab === 'membership/Instructor') return 'teacher';
  if ((vocab === 'membership' && rest === 'Learner') || vocab === 'membership/Learner') return 'student';
  if (vocab === 'institution/person' && (rest === 'Student' || rest === 'Learner')) return 'student';
  if (vocab === 'institution/person' && (rest === 'Instructor' || rest === 'Faculty')) return 'teacher';
  return undefined;
}
