import { lastSeq } from './session-state';
import type { Batch, SessionKind, SessionMeta } from './types';

/** What the recorder keeps about a session between page loads. */
export interface SessionState {
  key: string;
  mode: 'connected' | 'client-only';
  id: string | null;
  writeToken?: string;
  server?: string;
  transport: 'http' | 'websocket';
  kind: SessionKind;
  meta?: SessionMeta;
  createdAt: string;
  endedAt?: string;
  /** Date.now() when t was 0. */
  startedAtMs: number;
  /** The first seq not yet in a stored batch. */
  nextSeq: number;
  /** Hash of the last stored batch; null before the first. */
  lastHash: string | null;
  lastT: number;
  /** The editor text after event nextSeq - 1 (null: no editor). */
  text: string | null;
  clipHashes: string[];
  ack: number;
  ending: boolean;
}

export interface SessionStore {
  load(key: string): Promise<{ state: SessionState; batches: Batch[] } | null>;
  /** Stores a batch and the state after it, atomically. */
  commit(state: SessionState, batch: Batch): Promise<void>;
  put(state: SessionState): Promise<void>;
  /** Drops batches whose events are all at or below `ack`. */
  prune(key: string, ack: number): Promise<void>;
  clear(key: string): Promise<void>;
}

const DB_NAME = 'veritas-recorder';

function done(req: IDBRequest | IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    if ('oncomplete' in req) {
      req.oncomplete = () => resolve();
      req.onerror = () => reject(req.error);
      req.onabort = () => reject(req.error ?? new Error('transaction aborted'));
    } else {
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    }
  });
}

function result<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** A thin IndexedDB store: `sessions` by key, `batches` by [key, firstSeq]. */
export class IdbStore implements SessionStore {
  private constructor(private readonly db: IDBDatabase) {}

  static open(): Promise<IdbStore> {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('sessions', { keyPath: 'key' });
        req.result.createObjectStore('batches', { keyPath: ['key', 'firstSeq'] });
      };
      req.onsuccess = () => resolve(new IdbStore(req.result));
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('IndexedDB blocked'));
    });
  }

  async load(key: string) {
    const tx = this.db.transaction(['sessions', 'batches'], 'readonly');
    const state = await result<SessionState | undefined>(tx.objectStore('sessions').get(key));
    if (!state) return null;
    const range = IDBKeyRange.bound([key, 0], [key, Number.MAX_SAFE_INTEGER]);
    const rows = await result<{ batch: Batch }[]>(tx.objectStore('batches').getAll(range));
    return { state, batches: rows.map((r) => r.batch) };
  }

  commit(state: SessionState, batch: Batch) {
    const tx = this.db.transaction(['sessions', 'batches'], 'readwrite');
    tx.objectStore('batches').put({ key: state.key, firstSeq: batch.firstSeq, batch });
    tx.objectStore('sessions').put(state);
    return done(tx);
  }

  put(state: SessionState) {
    const tx = this.db.transaction('sessions', 'readwrite');
    tx.objectStore('sessions').put(state);
    return done(tx);
  }

  async prune(key: string, ack: number) {
    const tx = this.db.transaction('batches', 'readwrite');
    const store = tx.objectStore('batches');
    const range = IDBKeyRange.bound([key, 0], [key, ack]);
    const rows = await result<{ firstSeq: number; batch: Batch }[]>(store.getAll(range));
    for (const r of rows) if (lastSeq(r.batch) <= ack) store.delete([key, r.firstSeq]);
    return done(tx);
  }

  clear(key: string) {
    const tx = this.db.transaction(['sessions', 'batches'], 'readwrite');
    tx.objectStore('sessions').delete(key);
    tx.objectStore('batches').delete(IDBKeyRange.bound([key, 0], [key, Number.MAX_SAFE_INTEGER]));
    return done(tx);
  }
}

/** Keeps the session in memory only: used when asked, or when IndexedDB cannot be opened. */
export class MemoryStore implements SessionStore {
  private readonly states = new Map<string, SessionState>();
  private readonly batches = new Map<string, Batch[]>();

  async load(key: string) {
    const state = this.states.get(key);
    return state ? { state: { ...state }, batches: [...(this.batches.get(key) ?? [])] } : null;
  }
  async commit(state: SessionState, batch: Batch) {
    this.states.set(state.key, { ...state });
    const list = this.batches.get(state.key) ?? [];
    list.push(batch);
    this.batches.set(state.key, list);
  }
  async put(state: SessionState) {
    this.states.set(state.key, { ...state });
  }
  async prune(key: string, ack: number) {
    this.batches.set(
      key,
      (this.batches.get(key) ?? []).filter((b) => lastSeq(b) > ack),
    );
  }
  async clear(key: string) {
    this.states.delete(key);
    this.batches.delete(key);
  }
}

/**
 * IndexedDB unless the host asked for memory. When IndexedDB was wanted but is missing or refuses to
 * open, the session is kept in memory and `error` says why, so the host can tell the writer that a
 * reload would lose it (a missing IndexedDB used to fall back silently).
 */
export async function openStore(kind: 'indexeddb' | 'memory' | undefined): Promise<{ store: SessionStore; error?: unknown }> {
  if (kind === 'memory') return { store: new MemoryStore() };
  if (typeof indexedDB === 'undefined' || !indexedDB) return { store: new MemoryStore(), error: new Error('IndexedDB is not available in this browser') };
  try {
    return { store: await IdbStore.open() };
  } catch (error) {
    return { store: new MemoryStore(), error };
  }
}
