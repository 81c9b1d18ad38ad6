import type { RecorderMode } from './session-state';
import { MemoryStore, openStore, type SessionState, type SessionStore } from './store';
import type { Batch, VeritasEvent } from './types';

const SPILL = 'veritas.spill.';

/**
 * Where one session is kept in the browser: its store (IndexedDB, or memory when IndexedDB is missing
 * or refuses), and the localStorage spill of events not yet sealed, written synchronously when the page
 * goes away so a reload continues the same session and chain.
 */
export class SessionStorage {
  private store: SessionStore = new MemoryStore();

  constructor(
    private readonly key: string,
    private readonly mode: RecorderMode,
    /** IndexedDB cannot be used: the host must be told, since a reload will no longer bring the session back. */
    private readonly onMemoryOnly: (error: Error) => void,
  ) {}

  get kind(): 'indexeddb' | 'memory' {
    return this.store instanceof MemoryStore ? 'memory' : 'indexeddb';
  }

  async open(kind: 'indexeddb' | 'memory' | undefined): Promise<void> {
    const { store, error } = await openStore(kind);
    this.store = store;
    if (error) this.memoryOnly(error);
  }

  load(): Promise<{ state: SessionState; batches: Batch[] } | null> {
    return this.store.load(this.key);
  }

  put(state: SessionState): Promise<void> {
    return this.store.put(state);
  }

  /** Stores a batch with the state after it; when storage refuses (quota, private mode), goes on in memory and says so. */
  async commit(state: SessionState, batch: Batch): Promise<void> {
    try {
      await this.store.commit(state, batch);
    } catch (e) {
      this.store = new MemoryStore();
      this.memoryOnly(e);
      await this.store.commit(state, batch);
    }
  }

  prune(ack: number): Promise<void> {
    return this.store.prune(this.key, ack);
  }

  clear(): Promise<void> {
    return this.store.clear(this.key);
  }

  /** Writes the events not yet sealed to localStorage, synchronously: what a reload must not lose. Throws when refused. */
  spill(events: readonly VeritasEvent[]): void {
    if (events.length > 0) localStorage.setItem(SPILL + this.key, JSON.stringify({ events }));
    else localStorage.removeItem(SPILL + this.key);
  }

  /**
   * Takes back what the last page spilled: the events that continue the stored chain at `nextSeq`
   * without a gap (anything else is stale). Never throws; an unreadable spill counts as none.
   */
  takeSpill(nextSeq: number): VeritasEvent[] {
    let spilled: VeritasEvent[] = [];
    try {
      const raw = localStorage.getItem(SPILL + this.key);
      const parsed = raw ? (JSON.parse(raw) as { events: VeritasEvent[] }) : null;
      for (const e of parsed?.events ?? []) {
        if (e.seq === nextSeq + spilled.length) spilled.push(e);
      }
      localStorage.removeItem(SPILL + this.key);
    } catch {
      spilled = [];
    }
    return spilled;
  }

  dropSpill(): void {
    localStorage.removeItem(SPILL + this.key);
  }

  private memoryOnly(e: unknown): void {
    const lost = this.mode === 'connected' ? 'what the server has not yet acknowledged' : 'the session';
    this.onMemoryOnly(
      new Error(
        `IndexedDB unusable (${e instanceof Error ? e.message : String(e)}): the session is kept in memory only, so a reload or closing the tab loses ${lost}`,
      ),
    );
  }
}
