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
   * The sessions this actor may list (kernel/policy's listingOf): for people and keys, their tenant's
   * sessions as their role reaches them (the same rule that grants reading one, modules/grants); for
   * anyone else the published demo sessions. Newest first, each with its analysis summary: what a
   * home page shows in one request.
   */
  list(actor: Actor, request: SessionListRequest): Promise<{ items: { session: SessionRow; summary: AnalysisSummary }[]; next: string | null }>;
}

export function createSessionListService({ sessions, analysis }: { sessions: SessionsService; analysis: AnalysisService }): SessionListService {
  return {
    async list(actor, request) {
      const { scope, listing, userId } = listingOf(actor);
      const page = await sessions.list(scope, { ...request, reach: { listing, ...(userId !== undefined ? { userId } : {}) } });
      const summaries = await analysis.summaries(scope, page.items);
      return { items: page.items.map((session) => ({ session, summary: summaries.get(session.id) ?? { state: 'pending' } })), next: page.next };
    },
  };
}
