import type { Tracing } from '../platform/tracing';
import type { Database } from '../platform/db/database';
import type { Config } from '../config/config';
import type { AppMetrics } from '../platform/metrics/metrics';
import { createJobQueue } from '../platform/queue/create-job-queue';
import type { JobQueue } from '../platform/queue/job-queue';
import type { JobLogger } from '../platform/queue/embedded-job-queue';
import { createEventBus, type EventBus } from '../kernel/events';
import { scopeOfRow } from '../kernel/scope';
import { AppError } from '../kernel/errors';
import { createAuditService, type AuditService } from './audit';
import { createAccessTokens, createAuthService, type AccessTokens, type AuthService } from './auth';
import { createPeopleService, type PeopleService } from './people';
import { createApiKeysService, type ApiKeysService } from './api-keys';
import { createIngestService, type IngestService } from './ingest';
import { createSsoService, type SsoService } from './sso';
import { createSessionCredentials, createSessionsService, type SessionCredentials, type SessionsService } from './sessions';
import { createBundlesService, type BundlesService } from './bundles';
import { createReplayService, type ReplayService } from './replay';
import { createSessionListService, type SessionListService } from './session-list';
import { createGrants, type Grants } from './grants';
import { createShareLinksService, type ShareLinksService } from './share-links';
import { createCertificateKeys, createCertificatesService, subscribeCertificates, type CertificatesService } from './certificates';
import { createReviewService, subscribeReview, type ReviewService } from './review';
import { createReportsService, type ReportsService } from './reports';
import { createExportsService, type ExportsService } from './exports';
import { createAttemptsService, createExamsService, type AttemptsService, type ExamsService } from './exams';
import { createDashboardsService, type DashboardsService } from './dashboards';
import { createRetentionService, type RetentionService } from './retention';
import { createIdempotencyService, type IdempotencyService } from './idempotency';
import { createExamLiveService, createLiveStreamsService, subscribeExamLive, subscribeLive, type ExamLiveService, type LiveStreamsService } from './live';
import type { LiveHub } from '../platform/hub/live-hub';
import { MemoryHub } from '../platform/hub/memory-hub';
import {
  ANALYZE_SESSION,
  ANALYZE_SESSION_POLICY,
  createAnalysisService,
  createLiveAnalysisService,
  subscribeAnalysis,
  type AnalysisService,
  type LiveAnalysisLogger,
  type LiveAnalysisService,
} from './analysis';
import { BUILD_SUBJECT_EXPORT, createConsentService, createSubjectExportsService, type ConsentService, type SubjectExportsService } from './privacy';
import { createLtiService, type LtiService } from './lti';
import { LTI_GRADE_PASSBACK, LTI_GRADE_PASSBACK_POLICY, LTI_ROSTER_SYNC, LTI_ROSTER_SYNC_POLICY, subscribeLtiAdvantage } from './lti';
import type { BlobStore } from '../platform/blob/blob-store';
import { FileBlobStore } from '../platform/blob/file-blob-store';
import { createDownloadsService, type DownloadsService } from './downloads';
import { createWebhooksService, DELIVER_WEBHOOK, subscribeWebhooks, webhookQueuePolicy, type WebhooksService } from './webhooks';

/** Every module's service, wired once per app: the composition root of the modules. */
export interface Services {
  database: Database;
  metrics: AppMetrics;
  /** The domain events (kernel/events.ts) the modules tell each other through. */
  events: EventBus;
  credentials: SessionCredentials;
  sessions: SessionsService;
  ingest: IngestService;
  bundles: BundlesService;
  /** The session list with analysis summaries (sessions and analysis together). */
  sessionList: SessionListService;
  /** The replay stream, read from the sessions module's events. */
  replay: ReplayService;
  /** The job queue (platform/queue): analysis runs there when a session ends. Opened and worked by roles/. */
  jobs: JobQueue;
  analysis: AnalysisService;
  /** Live alerts from the incremental analyser fed by ingest. */
  live: LiveAnalysisService;
  /** First answers of creates sent with an Idempotency-Key (http/plugins/idempotency.ts). */
  idempotency: IdempotencyService;
  /** The audit trail every sensitive read and write is recorded in. */
  audit: AuditService;
  /** Signed access tokens of people (JWT, rotatable keys). */
  accessTokens: AccessTokens;
  /** The tenant's people, classes and settings (its administration). */
  people: PeopleService;
  /** Partners' API keys: issued, listed, revoked, and resolved to api-key actors. */
  apiKeys: ApiKeysService;
  /** Which sessions a person or key reads (the auth plugin's sessionGrant). */
  grants: Grants;
  /** Read-only links to a session (the auth plugin's shareLink). */
  shareLinks: ShareLinksService;
  /** Sign-in (password, links; SSO calls signIn), refresh-token rotation, one's own profile, invitations and resets. */
  auth: AuthService;
  /** Single sign-on per tenant with OpenID Connect (calls auth.signIn). */
  sso: SsoService;
  /** Signed certificates of analysed sessions, their keys and their revocation (ADR 0016). */
  certificates: CertificatesService;
  /** Flag review: consolidated flags (from analysis.done and alert.raised), decisions, students' answers. */
  review: ReviewService;
  /** Exams of a tenant (modules/exams). */
  exams: ExamsService;
  /** Attempts at exams: the state machine, their sessions, scores, partners' analyses, the time-out job. */
  attempts: AttemptsService;
  /** The live hub commits and ends are told on (platform/hub), for the live streams of every instance. */
  hub: LiveHub;
  /** Sessions' live streams (SSE of committed events) and their tickets. */
  liveStreams: LiveStreamsService;
  /** Exams' live supervision: the exam view, critical alerts over a socket and their acknowledgement (ADR 0019). */
  examLive: ExamLiveService;
  /** Dashboards: a student's and a teacher's page, an exam's analytics and CSV, an attempt's monitoring. */
  dashboards: DashboardsService;
  /** Retention policy, legal holds and the sweep (modules/retention). */
  retention: RetentionService;
  /** OpenTelemetry traces (platform/tracing), when an OTLP endpoint is configured. */
  tracing?: Tracing;
  /** A session's PDF report (ADR 0026). */
  reports: ReportsService;
  /** Exports for other tools: a writing session as an IDFX log. */
  exports: ExportsService;
  /** Webhook endpoints and their signed deliveries from domain events (ADR 0023). */
  webhooks: WebhooksService;
  /** Consent texts, the requirement and agreements (ADR 0029). */
  consent: ConsentService;
  /** Subject-access archives: built by a job into the blob store, downloaded behind an expiring token (ADR 0029). */
  subjectExports: SubjectExportsService;
  /** The blob store (platform/blob): stored bundles, exports, reports and subject-access archives. */
  blobs: BlobStore;
  /** LTI 1.3: LMS registrations, login initiation and launch (calls auth.signIn). */
  lti: LtiService;
  /** Stored files of sessions and expiring links to them (ADR 0030). */
  downloads: DownloadsService;
}

export interface ServiceOptions {
  /** A job queue to use instead of the configured one (tests). */
  jobs?: JobQueue;
  log?: JobLogger & LiveAnalysisLogger & { warn(obj: object, msg: string): void };
  /** The live hub (buildApp makes the configured one); in process when not given. */
  hub?: LiveHub;
  /** The clock live tickets are issued and checked by (tests move it). */
  clock?: () => Date;
  tracing?: Tracing;
  /** The blob store (createBlobStore); the filesystem one of the configuration when not given. */
  blobs?: BlobStore;
}

/** The queues the modules enqueue on, with their retry policies. */
export const QUEUES = { [ANALYZE_SESSION]: ANALYZE_SESSION_POLICY, [BUILD_SUBJECT_EXPORT]: {} };
/** LTI Advantage's queues (modules/lti): grade passbacks and roster syncs. */
export const LTI_QUEUES = { [LTI_GRADE_PASSBACK]: LTI_GRADE_PASSBACK_POLICY, [LTI_ROSTER_SYNC]: LTI_ROSTER_SYNC_POLICY };

/** A session's live alerts the review consolidates (each alert.raised reads them again; stored once each). */
const REVIEW_ALERTS_READ = 10_000;

/** A session deleted meanwhile has nothing to review. */
const goneAsNone = (err: unknown): undefined => {
  if (err instanceof AppError && err.code === 'not-found') return undefined;
  throw err;
};

export function createServices(database: Database, config: Config, metrics: AppMetrics, options: ServiceOptions = {}): Services {
  const events = createEventBus();
  const jobs = options.jobs ?? createJobQueue(config, database, { ...QUEUES, [DELIVER_WEBHOOK]: webhookQueuePolicy(config), ...LTI_QUEUES }, options.log);
  const audit = createAuditService(database, options.log ? { log: options.log } : {});
  const people = createPeopleService(database, audit);
  // The server's refusal wins over everyone; otherwise a tenant's sessions follow the tenant's choice.
  const policy = { hostSignals: config.hostSignals, tenantHostSignals: (tenantId: string) => people.tenant.hostSignalsOf(tenantId) };
  const analysis = createAnalysisService({ database, jobs, policy, events });
  const live = createLiveAnalysisService(database, { policy, events, maxSessions: config.live.analysers, ...(options.log ? { log: options.log } : {}) });
  subscribeAnalysis(events, { analysis, live });
  const review = createReviewService({
    database,
    audit,
    events,
    sources: {
      async analysisFlags(scope, sessionId) {
        const s = await analysis.status(scope, sessionId).catch(goneAsNone);
        return s?.status === 'done' && Array.isArray(s.analysis.flags) ? s.analysis.flags : [];
      },
      alertsOf: (scope, sessionIds) => live.alertsOfSessions(scope, sessionIds, REVIEW_ALERTS_READ),
      alertCounts: (scope, sessionIds) => live.alertCountsOfSessions(scope, sessionIds),
    },
  });
  const credentials = createSessionCredentials(database);
  const sessions = createSessionsService({ database, events, audit, forget: (id) => credentials.forget(id) });
  const accessTokens = createAccessTokens(database);
  const auth = createAuthService({ database, accessTokens, audit });
  const grants = createGrants(database);
  const hub = options.hub ?? new MemoryHub();
  // Commits and ends are told on the hub without being awaited: ingest never waits for viewers.
  subscribeLive(events, hub, (err, context) => options.log?.warn({ err, ...context }, 'the live hub failed; live viewers catch up from the database'));
  const liveStreams = createLiveStreamsService({
    database,
    sessions,
    grants,
    hub,
    options: config.live,
    ...(options.clock ? { now: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const examLive = createExamLiveService({
    database,
    hub,
    audit,
    access: liveStreams.access,
    options: {
      tickMs: 1000,
      refreshMs: 5000,
      recheckMs: config.live.recheckMs,
      maxBufferedBytes: config.live.maxBufferedBytes,
      serverRefusesHost: config.hostSignals === 'refuse',
    },
    ...(options.clock ? { now: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  subscribeExamLive(events, {
    db: database.db,
    hub,
    examLive,
    report: (err, context) => options.log?.warn({ err, ...context }, 'the exam live fan-out failed; rooms catch up from the database'),
  });
  // Subscribers are told in the order they subscribed: the exam rooms hear of a new alert before review
  // consolidates it into a flag (a transaction of its own), so a teacher is not told later for it.
  subscribeReview(events, review);
  const certificateKeys = createCertificateKeys(database, config.certificateKeyFile ? { keyFile: config.certificateKeyFile } : {});
  const certificates = createCertificatesService({ database, keys: certificateKeys, analysis, audit });
  subscribeCertificates(events, certificates);
  const webhooks = createWebhooksService({ database, audit, jobs, settings: config.webhooks, metrics });
  subscribeWebhooks(events, webhooks);
  if (!options.blobs && config.blob.driver !== 'fs') throw new Error('an S3 blob store is made with createBlobStore and given to createServices');
  const blobs = options.blobs ?? new FileBlobStore(config.blob.driver === 'fs' ? config.blob.dir : '');
  const subjectExports = createSubjectExportsService({ database, audit, jobs, sessions, blobs, ...(options.clock ? { now: options.clock } : {}) });
  const reports = createReportsService({ database, analysis, certificates });
  const lti = createLtiService({ database, audit, auth, jobs, publicUrl: config.publicUrl });
  subscribeLtiAdvantage(events, lti.advantage);
  const exportsService = createExportsService({ database });
  const downloads = createDownloadsService({
    blobs,
    sessions,
    exports: exportsService,
    reports,
    tokens: accessTokens,
    audit,
    linkTtlS: config.downloadLinkTtlS,
  });
  return {
    consent: createConsentService(database, audit),
    subjectExports,
    blobs,
    downloads,
    ...(options.tracing ? { tracing: options.tracing } : {}),
    webhooks,
    database,
    metrics,
    events,
    jobs,
    audit,
    people,
    apiKeys: createApiKeysService(database, audit),
    accessTokens,
    auth,
    sso: createSsoService({ database, audit, auth }),
    lti,
    review,
    analysis,
    live,
    idempotency: createIdempotencyService(database, options.clock),
    credentials,
    sessions,
    replay: createReplayService({ sessions }),
    sessionList: createSessionListService({ sessions, analysis }),
    bundles: createBundlesService({ database, events, audit }),
    grants,
    hub,
    liveStreams,
    examLive,
    shareLinks: createShareLinksService({ database, audit }),
    exams: createExamsService(database, audit, undefined, events),
    attempts: createAttemptsService({ database, audit, sessions, events }),
    dashboards: createDashboardsService({ database, audit, analysis }),
    retention: createRetentionService(database, audit, { forgetFiles: (tenantId, sessionId, part) => downloads.forget(tenantId, sessionId, part) }),
    certificates,
    reports,
    exports: exportsService,
    ingest: createIngestService(
      database,
      {
        maxWaitMs: config.groupCommit.maxWaitMs,
        busyWaitMs: config.groupCommit.busyWaitMs,
        maxWeight: config.groupCommit.maxEvents,
        concurrency: config.groupCommit.concurrency,
      },
      metrics,
      (committed) => {
        for (const c of committed) {
          // Told after the commit; the live side never fails ingest (the events are stored).
          events
            .publish('batch.committed', { sessionId: c.sessionId, scope: scopeOfRow({ tenant_id: c.tenantId }), events: c.events })
            .catch((err) => options.log?.error({ err, sessionId: c.sessionId }, 'a batch.committed subscriber failed'));
        }
      },
    ),
  };
}
