import { encodeReplayStream, LOOKAHEAD_EVENT_TYPES, type ReplaySession } from '@veritas/replay';
import type { Scope } from '../../kernel/scope';
import type { SessionsService } from '../sessions';

export interface ReplayService {
  /**
   * The session's replay as NDJSON lines, built from its stored events read a window of seqs at a
   * time (twice: the key events first, then all), so memory stays that of the replay's columns,
   * never the session's events (the columns are sized once from the counts per type; a window's
   * rows are garbage as soon as they are folded in). Resolves once the session is known to exist in the scope.
   */
  stream(scope: Scope, id: string, options?: { chunkRows?: number }): Promise<AsyncGenerator<string>>;
}

export function createReplayService({ sessions, pageSize }: { sessions: SessionsService; pageSize?: number }): ReplayService {
  return {
    async stream(scope, id, options = {}) {
      const { session, pages, countByType } = await sessions.eventSource(scope, id, pageSize);
      const meta = (session.meta ?? {}) as { initialText?: string };
      // The writer's accommodation colours input without keys as an input method, as the analysis counts it.
      const settings = (session.analysis_settings ?? {}) as { assistiveTechnology?: boolean };
      return encodeReplayStream(
        { pages: () => pages(), lookaheadPages: () => pages(LOOKAHEAD_EVENT_TYPES), countByType },
        {
          sessionId: session.id,
          kind: session.kind as ReplaySession['kind'],
          ...(meta.initialText ? { initialText: meta.initialText } : {}),
          ...(settings.assistiveTechnology ? { assistiveTechnology: true } : {}),
          ...(options.chunkRows ? { chunkRows: options.chunkRows } : {}),
        },
      );
    },
  };
}
