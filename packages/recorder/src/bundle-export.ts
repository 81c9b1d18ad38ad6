import { BUNDLE_FORMAT } from '@veritas/schema/chain';
import type { SessionStorage } from './session-storage';
import type { SessionState } from './store';
import type { Bundle } from './types';

/**
 * The v1 bundle of the session as stored in the browser. Rejects when there is no session, or when
 * its first batches are gone (connected mode drops acknowledged batches unless `keepBatches`).
 */
export async function bundleOf(state: SessionState | null, storage: SessionStorage): Promise<Bundle> {
  if (!state?.id) throw new Error('no session to export');
  const kept = await storage.load();
  const batches = kept?.batches ?? [];
  if (batches[0]?.firstSeq !== 0) throw new Error('the batches are no longer kept in the browser (connected mode without keepBatches)');
  return {
    format: BUNDLE_FORMAT,
    session: {
      id: state.id,
      kind: state.kind,
      createdAt: state.createdAt,
      ...(state.endedAt ? { endedAt: state.endedAt } : {}),
      ...(state.meta ? { meta: state.meta } : {}),
    },
    batches,
  };
}
