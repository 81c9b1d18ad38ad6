/**
 * The certificate's claims and its check live in `@veritas/schema/certificate`, so the browser's
 * /verify page runs the very code the server and the CLI run (ADR 0016); the server names them here.
 */
export {
  CERTIFICATE_TYP,
  CERTIFICATE_ALG,
  CERTIFICATE_KID_PREFIX,
  CERTIFICATE_ISSUER,
  CertificateClaims,
  analysisDigest,
  certificateKeysOf,
  verifyCertificate,
  mismatchesWith,
  type CertificateCheck,
  type BundleFacts,
} from '@veritas/schema/certificate';
