/** Certificates: signed statements of a session's chain and analysis, their keys, revocation, and the offline check (ADR 0016). */
export { certificatesRoutes } from './certificates.routes';
export { createCertificatesService, type CertificatesService } from './certificates.service';
export { subscribeCertificates } from './certificates.subscriptions';
export { createCertificateKeys, newCertificateJwk, certificateKid, CertificateKeyFileError, type CertificateKeys } from './certificate-keys';
export { rotateCertificateKeys } from './certificate-operator';
export {
  verifyCertificate,
  mismatchesWith,
  analysisDigest,
  certificateKeysOf,
  CertificateClaims,
  CERTIFICATE_TYP,
  CERTIFICATE_KID_PREFIX,
  type CertificateCheck,
  type BundleFacts,
} from './certificate-check';
