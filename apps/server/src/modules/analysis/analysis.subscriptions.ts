import type { EventBus } from '../../kernel/events';
import type { AnalysisService } from './analysis.service';
import type { LiveAnalysisService } from './live-analysis.service';

/**
 * Where analysis starts, read in one place: a session that ends, or arrives ended in a bundle, gets
 * its analysis job (enqueueing is idempotent); committed events feed the live analyser.
 */
export function subscribeAnalysis(events: EventBus, { analysis, live }: { analysis: AnalysisService; live: LiveAnalysisService }): void {
  events.on('session.ended', async ({ scope, sessionId }) => {
    await analysis.request(scope, sessionId);
    live.forget(sessionId);
  });
  events.on('bundle.imported', ({ scope, sessionId }) => analysis.request(scope, sessionId));
  events.on('batch.committed', ({ scope, sessionId, events: committed }) => live.onCommitted([{ sessionId, tenantId: scope.tenantId, events: committed }]));
}
