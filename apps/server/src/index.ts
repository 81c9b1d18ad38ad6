export { loadConfig, ConfigError, DEFAULT_DATA_DIR, type Config, type ConfigOverrides } from './config/config';
export { buildApp, API_VERSION, type App, type AppDeps } from './http/app';
export { startServer, openDatabase, connectRedis, redisReady, DEFAULT_WEB_DIST, type RunningServer } from './roles/server';
export { migrateToLatest } from './platform/db/migrations';
export { openPglite, openPostgres, type Database } from './platform/db/database';
export { DataDirInUseError, lockDataDir } from './platform/db/data-lock';
export { BackupError, BACKUP_FORMAT, checkBackup, restoreBackup, writeBackup, type BackupManifest } from './platform/db/embedded-backup';
export { controlSocketOf } from './roles/control-socket';
export { problemType } from './kernel/errors';
export { tenantScope } from './kernel/scope';
export { startRole } from './roles/start-role';
export { createAuditService, type AuditService, type ChainReport } from './modules/audit';
export { createRetentionService, type RetentionService, type SweepReport } from './modules/retention';
export { forgetSessionFiles } from './modules/downloads';
export { createBlobStore } from './platform/blob/create-blob-store';
export { createAdminInvitation, rotateSigningKeys, seedDemoPeople, DEMO_PASSWORD, DEMO_TENANT, type AdminInvitation, type DemoPerson } from './modules/auth';
export {
  rotateCertificateKeys,
  verifyCertificate,
  mismatchesWith,
  analysisDigest,
  CertificateKeyFileError,
  type CertificateCheck,
  type CertificateClaims,
} from './modules/certificates';
// The compact batch's decoder (ADR 0025), for the recorder's round-trip test and the recorder bench.
export { BATCH_MEDIA_TYPE, decodeBatchBody } from './http/plugins/batch-encoding';
