import type { Batch, VeritasEvent } from '@veritas/schema';
import { LIMITS } from '@veritas/schema';
import { AppError } from '../../kernel/errors';

/** The stored position of one session while a group is being decided. */
export interface SessionState {
  id: string;
  status: 'active' | 'ended';
  next_seq: number;
  head_hash: string;
  last_t: number;
  changed: boolean;
  /** An exam attempt's session past its deadline, or ended after its attempt closed: refused as attempt-closed, not session-ended. */
  closed?: boolean;
  /** Nothing is stored yet and its tenant requires consent: what its first events must carry (ADR 0029). */
  consent?: { policy: string | null; agreed: boolean };
}

export interface HeldBatch {
  firstSeq: number;
  count: number;
  prevHash: string;
  hash: string;
  mac: string | null;
  events: VeritasEvent[];
}

/** What the group decided for one batch, before the session's final ack is known. */
export type Decision =
  { kind: 'append'; batch: Batch } | { kind: 'hold'; batch: Batch } | { kind: 'check-stored'; batch: Batch } | { kind: 'reject'; error: AppError };

/**
 * Decides one batch against the session's stored position. Pure: the caller owns the reads and
 * writes. A batch wholly below next_seq is a retry if its hash matches what is stored (the caller
 * checks that: 'check-stored'); one at next_seq must carry the head hash; one ahead waits in the
 * held set if within the window.
 */
export function decide(state: SessionState, batch: Batch): Decision {
  const count = batch.events.length;
  const last = batch.firstSeq + count - 1;
  if (batch.firstSeq < state.next_seq) {
    if (last < state.next_seq) return { kind: 'check-stored', batch };
    return { kind: 'reject', error: new AppError('seq-conflict', `seqs ${batch.firstSeq}..${last} overlap the stored ${state.next_seq - 1}`) };
  }
  if (state.closed) return { kind: 'reject', error: new AppError('attempt-closed') };
  if (state.status === 'ended') return { kind: 'reject', error: new AppError('session-ended') };
  if (batch.firstSeq > state.next_seq) {
    if (batch.firstSeq - state.next_seq > LIMITS.seqWindow) {
      return {
        kind: 'reject',
        error: new AppError(
          'seq-gap-too-large',
          `batch starts at ${batch.firstSeq} but the session holds up to ${state.next_seq - 1}; at most ${LIMITS.seqWindow} ahead is held`,
        ),
      };
    }
    return { kind: 'hold', batch };
  }
  if (batch.prevHash !== state.head_hash) {
    return { kind: 'reject', error: new AppError('broken-chain', `prevHash does not match the hash of the batch before seq ${batch.firstSeq}`) };
  }
  if (state.consent && state.next_seq === 0) {
    const refusal = consentRefusal(state.consent, batch.events[0]!);
    if (refusal) return { kind: 'reject', error: new AppError('consent-required', refusal) };
  }
  const firstT = batch.events[0]!.t;
  if (firstT < state.last_t) {
    return { kind: 'reject', error: new AppError('invalid-event', `t goes back from ${state.last_t} to ${firstT} at seq ${batch.firstSeq}`) };
  }
  return { kind: 'append', batch };
}

/**
 * Why a session's first event does not carry the consent its tenant requires, or undefined when it
 * does: it must be a consent event, accepted, naming the tenant's current text, and the person the
 * session belongs to must have agreed to that text (POST /v1/me/consent).
 */
export function consentRefusal(demand: { policy: string | null; agreed: boolean }, first: VeritasEvent): string | undefined {
  if (demand.policy === null) return 'the institution requires consent but has published no consent text';
  if (first.type !== 'consent' || !first.data.accepted || first.data.policy !== demand.policy)
    return `the session's first event must be the consent to ${demand.policy} (type consent, accepted: true)`;
  if (!demand.agreed) return `the person this session belongs to has not agreed to ${demand.policy}`;
  return undefined;
}

/** Moves the state past an appended batch. */
export function advance(state: SessionState, batch: { firstSeq: number; events: readonly { t: number }[]; hash: string }): void {
  state.next_seq = batch.firstSeq + batch.events.length;
  state.head_hash = batch.hash;
  state.last_t = batch.events[batch.events.length - 1]!.t;
  state.changed = true;
}
