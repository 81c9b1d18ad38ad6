/** LTI 1.3 (LTI Advantage): Veritas as a tool inside an institution's LMS (docs/adr/0028-lti-with-jose.md). */
export { createLtiService, type LtiService } from './lti.service';
export { ltiRoutes } from './lti.routes';
export { ltiFrameHeaders } from './lti-frame';
export { mapRoles, CLAIM as LTI_CLAIM, EXAM_PARAMETER } from './lti-claims';
export { ltiDeepLinkingRoutes } from './lti-deep-linking.routes';
