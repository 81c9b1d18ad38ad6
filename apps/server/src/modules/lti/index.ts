/** LTI 1.3 (LTI Advantage): Veritas as a tool inside an institution's LMS (docs/adr/0028-lti-with-jose.md). */
export { createLtiService, type LtiService } from './lti.service';
export { ltiRoutes } from './lti.routes';
export { ltiFrameHeaders } from './lti-frame';
export { mapRoles, CLAIM as LTI_CLAIM, EXAM_PARAMETER } from './lti-claims';
export { ltiDeepLinkingRoutes } from './lti-deep-linking.routes';
export { LTI_GRADE_PASSBACK, LTI_GRADE_PASSBACK_POLICY, type GradePassbackJob } from './lti-ags';
export { LTI_ROSTER_SYNC, LTI_ROSTER_SYNC_POLICY, type RosterSyncJob } from './lti-nrps';
export { subscribeLtiAdvantage } from './lti-services';
export { ltiServicesRoutes } from './lti-services.routes';
