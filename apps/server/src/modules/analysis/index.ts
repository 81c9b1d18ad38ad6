/** The analysis module: the whole analysis (a job when a session ends) and live alerts (fed by ingest). */
export { analysisRoutes } from './analysis.routes';
export {
  createAnalysisService,
  analysisOptionsFor,
  ANALYZE_SESSION,
  ANALYZE_SESSION_POLICY,
  type AnalysisService,
  type AnalysisPolicy,
  type AnalyzeSessionJob,
  type AnalysisSummary,
} from './analysis.service';
export { AnalysisSummary as AnalysisSummarySchema } from './analysis.schemas';
export { createLiveAnalysisService, type LiveAnalysisService, type LiveAnalysisLogger } from './live-analysis.service';
export { subscribeAnalysis } from './analysis.subscriptions';
export { FLAG_EXPLANATIONS, REPORT_PREAMBLE } from './process-report';
