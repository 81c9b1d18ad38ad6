import type { Batch, VeritasEvent } from '@veritas/schema';
import type { Db } from '../../platform/db/database';
import { AppError } from '../../kernel/errors';
import {
  lockSessionsForIngest,
  appendToChains,
  findBatchHash,
  insertHeldBatch,
  deleteHeldBatches,
  listHeldBatches,
  type EventRow,
  type BatchRow,
} from '../sessions';
import { consentDemands } from '../privacy';
import { advance, decide, type HeldBatch, type SessionState } from './ingest-decide';

export interface GroupItem {
  sessionId: string;
  batch: Batch;
  /** The write key the batch's writer proved (its MAC key): refused if the session's key was rotated since. */
  macKey?: string;
}

export type ItemOutcome = { ok: true; held: boolean; duplicate: boolean } | { ok: false; error: AppError };

type Chainable = { firstSeq: number; events: VeritasEvent[]; prevHash: string; hash: string; mac?: string | null };

/**
 * One commit group inside its transaction: the locked positions of its sessions, their held
 * batches, and the rows to write. Items are decided in arrival order against the state as the
 * group has advanced it; `persist` then writes everything in a handful of statements.
 */
export class IngestGroup {
  private readonly eventRows: EventRow[] = [];
  private readonly batchRows: BatchRow[] = [];
  private readonly newHeld: { sessionId: string; batch: HeldBatch }[] = [];
  private readonly dropHeld = new Map<string, number[]>();
  /** Events appended per session, in seq order: what the live side hears after the commit. */
  readonly appended = new Map<string, VeritasEvent[]>();

  private constructor(
    private readonly tx: Db,
    private readonly states: Map<string, SessionState>,
    private readonly held: Map<string, Map<number, HeldBatch>>,
    private readonly tenants: Map<string, string | null>,
    private readonly writeKeys: Map<string, string | null>,
  ) {}

  /** Locks the sessions of the group (in id order) and reads their held batches, if they have any. */
  static async open(tx: Db, sessionIds: string[]): Promise<IngestGroup> {
    const states = new Map<string, SessionState>();
    const tenants = new Map<string, string | null>();
    const writeKeys = new Map<string, string | null>();
    const holding: string[] = [];
    for (const { tenant_id, write_key, held_count, ...r } of await lockSessionsForIngest(tx, sessionIds)) {
      states.set(r.id, { ...r, changed: false });
      tenants.set(r.id, tenant_id);
      writeKeys.set(r.id, write_key);
      // Counted on the locked row (schema step 0028): none held, no read, in the common case.
      if (held_count > 0) holding.push(r.id);
    }
    // Where the tenant requires consent, a session's first events must carry it; asked only of sessions with none stored.
    const fresh = [...states.values()].filter((s) => s.next_seq === 0).map((s) => s.id);
    for (const [id, demand] of await consentDemands(tx, fresh)) states.get(id)!.consent = demand;
    const held = new Map<string, Map<number, HeldBatch>>();
    for (const h of await listHeldBatches(tx, holding)) {
      const waiting = held.get(h.session_id) ?? held.set(h.session_id, new Map()).get(h.session_id)!;
      waiting.set(h.first_seq, { firstSeq: h.first_seq, count: h.count, prevHash: h.prev_hash, hash: h.hash, mac: h.mac, events: h.events as VeritasEvent[] });
    }
    return new IngestGroup(tx, states, held, tenants, writeKeys);
  }

  /** A session's tenant, from the row this transaction locked: what the committed events are told with. */
  tenantOf(sessionId: string): string | null {
    const tenant = this.tenants.get(sessionId);
    if (tenant === undefined) throw new Error(`session ${sessionId} is not in this group`);
    return tenant;
  }

  /** Highest contiguous seq of a session as the group leaves it. */
  ack(sessionId: string): number {
    return (this.states.get(sessionId)?.next_seq ?? 0) - 1;
  }

  get eventCount(): number {
    return this.eventRows.length;
  }

  async add({ sessionId, batch, macKey }: GroupItem): Promise<ItemOutcome> {
    const state = this.states.get(sessionId);
    if (!state) return { ok: false, error: new AppError('not-found', `no session ${sessionId}`) };
    // Checked on the locked row: a token rotated since another instance cached the old key writes nothing.
    if (macKey !== undefined && this.writeKeys.get(sessionId) !== macKey) return { ok: false, error: new AppError('invalid-token') };
    const d = decide(state, batch);
    switch (d.kind) {
      case 'append':
        this.append(state, d.batch);
        return { ok: true, held: false, duplicate: false };
      case 'hold':
        return this.hold(state, d.batch);
      case 'check-stored':
        return this.checkStored(state, d.batch);
      case 'reject':
        return { ok: false, error: d.error };
    }
  }

  private append(state: SessionState, b: Chainable): void {
    const list = this.appended.get(state.id) ?? this.appended.set(state.id, []).get(state.id)!;
    this.write(state, b, list);
    // Batches that waited for this gap now follow, if they link.
    const waiting = this.held.get(state.id);
    for (let next = waiting?.get(state.next_seq); waiting && next; next = waiting.get(state.next_seq)) {
      waiting.delete(next.firstSeq);
      (this.dropHeld.get(state.id) ?? this.dropHeld.set(state.id, []).get(state.id)!).push(next.firstSeq);
      if (next.prevHash !== state.head_hash) break; // can never link: dropped, its sender hears on resend
      this.write(state, next, list);
    }
  }

  private write(state: SessionState, b: Chainable, list: VeritasEvent[]): void {
    for (const e of b.events) this.eventRows.push({ session_id: state.id, seq: e.seq, t: e.t, type: e.type, data: e.data });
    this.batchRows.push({ session_id: state.id, first_seq: b.firstSeq, count: b.events.length, prev_hash: b.prevHash, hash: b.hash, mac: b.mac ?? null });
    advance(state, b);
    list.push(...b.events);
  }

  private hold(state: SessionState, batch: Batch): ItemOutcome {
    const waiting = this.held.get(state.id) ?? this.held.set(state.id, new Map()).get(state.id)!;
    const existing = waiting.get(batch.firstSeq);
    if (existing) {
      return existing.hash === batch.hash
        ? { ok: true, held: true, duplicate: true }
        : { ok: false, error: new AppError('seq-conflict', `a different batch at seq ${batch.firstSeq} is already waiting`) };
    }
    const h: HeldBatch = {
      firstSeq: batch.firstSeq,
      count: batch.events.length,
      prevHash: batch.prevHash,
      hash: batch.hash,
      mac: batch.mac ?? null,
      events: batch.events,
    };
    waiting.set(h.firstSeq, h);
    this.newHeld.push({ sessionId: state.id, batch: h });
    return { ok: true, held: true, duplicate: false };
  }

  /** A batch wholly below the stored position: a retry if its hash is the one stored there. */
  private async checkStored(state: SessionState, batch: Batch): Promise<ItemOutcome> {
    const inThisGroup = this.batchRows.find((b) => b.session_id === state.id && b.first_seq === batch.firstSeq);
    const stored = inThisGroup?.hash ?? (await findBatchHash(this.tx, state.id, batch.firstSeq));
    return stored === batch.hash
      ? { ok: true, held: false, duplicate: true }
      : { ok: false, error: new AppError('seq-conflict', `seqs from ${batch.firstSeq} are stored with different content`) };
  }

  /** Writes what the group decided: events, batches, positions, held batches kept and dropped. */
  async persist(): Promise<void> {
    const changed = [...this.states.values()].filter((s) => s.changed);
    // One round trip for the common path: events, batches and positions together.
    await appendToChains(
      this.tx,
      this.eventRows,
      this.batchRows,
      changed.map((s) => ({ id: s.id, next_seq: s.next_seq, head_hash: s.head_hash, last_t: s.last_t })),
    );
    for (const { sessionId, batch: h } of this.newHeld) {
      // A batch held and promoted within this same group never needs storing.
      if (!this.held.get(sessionId)?.has(h.firstSeq)) continue;
      await insertHeldBatch(this.tx, {
        session_id: sessionId,
        first_seq: h.firstSeq,
        count: h.count,
        prev_hash: h.prevHash,
        hash: h.hash,
        mac: h.mac,
        events: h.events,
      });
    }
    for (const [sid, seqs] of this.dropHeld) await deleteHeldBatches(this.tx, sid, seqs);
  }
}
