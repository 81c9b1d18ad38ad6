import type { Actor } from '../../kernel/actor';
import { listingOf } from '../../kernel/policy';
import type { SessionRow } from '../../platform/db/tables';
import type { SessionsService } from '../sessions';
import type { AnalysisService, AnalysisSummary } from '../analysis';

export interface SessionListRequest {
  kind?: string;
  status?: 'active' | 'ended';
  cursor?: string;
  limit: number;
}

export interface SessionListService {
  /**
   * The sessions this actor may list (kernel/policy's listingOf: today the published demo sessions
   * only), newest first, each with its analysis summary: what a home page shows in one request.
   */
  list(actor: Actor, request: SessionListRequest): Promise<{ items: { session: SessionRow; summary: AnalysisSummary }[]; next: string | null }>;
}

export function createSessionListService({ sessions, analysis }: { sessions: SessionsService; analysis: AnalysisService }): SessionListService {
  return {
    async list(actor, request) {
      // Until people's listings are built, everyone is shown the published sessions of their scope only.
      const { scope } = listingOf(actor);
      const page = await sessions.list(scope, { ...request, publishedOnly: true });
      const summaries = await analysis.summaries(scope, page.items);
      return { items: page.items.map((session) => ({ session, summary: summaries.get(session.id) ?? { state: 'pending' } })), next: page.next };
    },
  };
}
