/** Privacy (ADR 0029): consent texts, the requirement and agreements; subject-access exports. */
export { createConsentService, type ConsentService } from './consent.service';
export { consentDemands, policyOf, type ConsentDemand } from './consent.repository';
/** What a bundle upload (a session not stored yet) must carry where its tenant requires consent. */
export { consentDemandFor } from './consent.repository';
export { consentRoutes } from './consent.routes';
export {
  createSubjectExportsService,
  BUILD_SUBJECT_EXPORT,
  SUBJECT_EXPORT_TTL_MS,
  type BuildSubjectExportJob,
  type SubjectExportsService,
} from './subject-export.service';
export { SUBJECT_ARCHIVE_FORMAT } from './subject-export.archive';
export { subjectExportRoutes } from './subject-export.routes';
