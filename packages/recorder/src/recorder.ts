import { BUNDLE_FORMAT, LIMITS, genesisHash, macKeyFromToken, sealBatch } from '@veritas/schema/chain';
import { TextCapture, type CaptureSink } from './capture';
import { SessionClock, randomId } from './clock';
import { Sender, lastSeq } from './sender';
import { MemoryStore, openStore, type SessionState, type SessionStore } from './store';
import { TransportError, createSession, endSession, httpChannel, wsChannel } from './transport';
import { applyChange } from './text-diff';
import type {
  Batch,
  Bundle,
  HostEventType,
  Recorder,
  RecorderError,
  RecorderOptions,
  RecorderState,
  RecorderStatus,
  VeritasEvent,
  EventDataOf,
} from './types';

type DataOf<K extends VeritasEvent['type']> = EventDataOf<K>;

const HOST_TYPES = new Set<string>(['metrics', 'violation', 'sensor', 'mark', 'custom']);
const SPILL = 'veritas.spill.';

/** The text after a run of events: the recorder follows its own ops, exactly as replay will. */
function applyOps(text: string | null, events: readonly VeritasEvent[]): string | null {
  if (text === null) return null;
  for (const e of events) if (e.type === 'text.op') text = applyChange(text, e.data);
  return text;
}

export class VeritasRecorder implements Recorder, CaptureSink {
  readonly ready: Promise<{ resumed: boolean }>;
  private store: SessionStore = new MemoryStore();
  private state: SessionState | null = null;
  /** Events not yet committed to the store (a reload spills them to localStorage). */
  private unsealed: VeritasEvent[] = [];
  private seq = 0;
  private readonly clock = new SessionClock();
  private capture: TextCapture | null = null;
  private sender: Sender | null = null;
  private sealing: Promise<void> = Promise.resolve();
  private sealTimer: ReturnType<typeof setTimeout> | null = null;
  private snapshotTimer: ReturnType<typeof setInterval> | null = null;
  private recording = false;
  private disposed = false;
  private phase: RecorderState = 'idle';
  private online = true;
  private clips = new Set<string>();
  private method: 'dictation' | null = null;
  private macKey: string | undefined;
  private readonly waiters: (() => void)[] = [];
  private statusTimer: ReturnType<typeof setTimeout> | null = null;
  private lastStatus = '';
  private readonly off: (() => void)[] = [];
  private readonly batchMs: number;
  private readonly batchEvents: number;

  constructor(
    private readonly el: HTMLElement | null,
    private readonly opts: RecorderOptions,
  ) {
    this.batchMs = opts.batchMs ?? 2000;
    this.batchEvents = Math.max(1, Math.min(opts.batchEvents ?? 200, LIMITS.batchEvents));
    this.ready = this.init().catch((e: unknown) => {
      this.fail('storage', e);
      return { resumed: false };
    });
  }

  private get key(): string {
    return this.opts.storageKey ?? 'default';
  }

  private get mode(): 'connected' | 'client-only' {
    return this.opts.session || this.opts.server !== undefined ? 'connected' : 'client-only';
  }

  get sessionId(): string | null {
    return this.state?.id ?? null;
  }

  get status(): RecorderStatus {
    const ack = this.state?.ack ?? -1;
    const queued = this.mode === 'connected' ? Math.max(0, this.seq - 1 - ack) : this.unsealed.length;
    let state = this.phase;
    if (state === 'recording' && !this.online) state = 'offline';
    const storage = this.store instanceof MemoryStore ? 'memory' : 'indexeddb';
    return { state, mode: this.mode, sessionId: this.sessionId, queued, saved: queued === 0, ack, storage };
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  private async init(): Promise<{ resumed: boolean }> {
    const { store, error } = await openStore(this.opts.storage);
    this.store = store;
    if (error) this.inMemory(error);
    const kept = this.opts.resume === false ? null : await store.load(this.key);
    if (this.disposed) return { resumed: false };
    if (kept && !kept.state.endedAt) {
      this.resume(kept.state, kept.batches);
      return { resumed: true };
    }
    if (kept) this.state = kept.state; // ended: kept for exportBundle until the next start()
    if (this.opts.consent) await this.startNow(this.opts.consent);
    return { resumed: false };
  }

  async start(consent: { policy: string }): Promise<void> {
    await this.ready;
    await this.startNow(consent);
  }

  private async startNow(consent: { policy: string }): Promise<void> {
    try {
      if (this.recording || this.disposed) return;
      if (this.state) await this.store.clear(this.key);
      const o = this.opts;
      const local = this.mode === 'client-only';
      this.state = {
        key: this.key,
        mode: this.mode,
        id: o.session?.id ?? (local ? randomId() : null),
        ...(o.session ? { writeToken: o.session.writeToken } : {}),
        ...(o.server !== undefined ? { server: o.server } : {}),
        transport: o.transport ?? 'http',
        kind: o.kind ?? (this.el ? 'writing' : 'generic'),
        ...(o.meta ? { meta: o.meta } : {}),
        createdAt: new Date().toISOString(),
        startedAtMs: Date.now(),
        nextSeq: 0,
        lastHash: null,
        lastT: 0,
        text: null,
        clipHashes: [],
        ack: -1,
        ending: false,
      };
      this.seq = 0;
      this.clock.begin();
      this.recording = true;
      this.phase = 'starting';
      this.push('consent', { policy: consent.policy.slice(0, LIMITS.label) || 'unspecified', accepted: true });
      if (this.el) {
        this.capture = new TextCapture(this.el, this);
        const text = this.capture.editor.read();
        this.state.text = text;
        this.capture.start(text);
        this.snapshot(text);
      }
      await this.store.put(this.state).catch((e: unknown) => this.fail('storage', e));
      this.begin();
    } catch (e) {
      this.fail('capture', e);
    }
  }

  private resume(state: SessionState, batches: Batch[]): void {
    this.state = state;
    let spilled: VeritasEvent[] = [];
    try {
      const raw = localStorage.getItem(SPILL + this.key);
      const parsed = raw ? (JSON.parse(raw) as { events: VeritasEvent[] }) : null;
      for (const e of parsed?.events ?? []) {
        if (e.seq === state.nextSeq + spilled.length) spilled.push(e);
      }
      localStorage.removeItem(SPILL + this.key);
    } catch {
      spilled = [];
    }
    this.unsealed = spilled;
    this.seq = state.nextSeq + spilled.length;
    for (const h of state.clipHashes) this.clips.add(h);
    for (const e of spilled) if (e.type === 'clipboard' && e.data.action !== 'paste') this.clips.add(e.data.hash);
    this.clock.begin(state.startedAtMs, Math.max(state.lastT, spilled.at(-1)?.t ?? 0));
    this.recording = !state.ending;
    this.phase = state.ending ? 'ending' : 'starting';
    if (this.el && state.text !== null && !state.ending) {
      this.capture = new TextCapture(this.el, this);
      const text = applyOps(state.text, spilled)!;
      if (this.opts.restoreText !== false && this.capture.editor.read() !== text) this.capture.editor.write(text);
      this.capture.start(text);
      this.capture.syncExternal();
    }
    this.begin(batches);
    if (state.ending) void this.end();
  }

  /** Timers, page listeners, and (connected) the session and its sender. */
  private begin(stored: Batch[] = []): void {
    const doc = typeof document === 'undefined' ? null : document;
    const listen = (target: EventTarget, type: string, fn: () => void) => {
      const h = () => {
        try {
          fn();
        } catch (e) {
          this.fail('capture', e);
        }
      };
      target.addEventListener(type, h);
      this.off.push(() => target.removeEventListener(type, h));
    };
    if (doc) {
      listen(doc, 'visibilitychange', () => {
        this.push('visibility', { state: doc.visibilityState === 'hidden' ? 'hidden' : 'visible' });
        if (doc.visibilityState === 'hidden') this.spill();
      });
      listen(window, 'pagehide', () => this.spill());
    }
    if (this.capture) {
      this.snapshotTimer = setInterval(() => {
        this.capture?.syncExternal();
        if (this.capture && this.capture.opsSinceSnapshot > 0) this.snapshot(this.capture.model);
      }, this.opts.snapshotMs ?? 30_000);
    }
    this.phase = this.state?.ending ? 'ending' : 'recording';
    if (this.mode === 'connected') void this.connect(stored);
    this.scheduleSeal(0);
    this.notify(true);
  }

  private async connect(stored: Batch[]): Promise<void> {
    const state = this.state!;
    const server = state.server ?? '';
    for (let attempt = 0; !state.id && !this.disposed; attempt++) {
      try {
        const s = await createSession(server, state.kind, state.meta);
        state.id = s.id;
        state.writeToken = s.writeToken;
        await this.store.put(state).catch((e: unknown) => this.fail('storage', e));
        this.online = true;
      } catch (e) {
        const err = e instanceof TransportError ? e : new TransportError(String(e), true);
        this.report(err);
        if (!err.retryable) return this.fatal(err);
        this.online = false;
        this.notify(true);
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2)));
      }
    }
    if (this.disposed || !state.id || !state.writeToken) return;
    this.macKey = await macKeyFromToken(state.writeToken);
    const channel = state.transport === 'websocket' ? wsChannel(server, state.id, state.writeToken) : httpChannel(server, state.id, state.writeToken);
    this.sender = new Sender(channel, state.ack, {
      onAck: (ack) => {
        state.ack = ack;
        if (!this.opts.keepBatches) this.store.prune(this.key, ack).catch((e: unknown) => this.fail('storage', e));
        this.notify();
      },
      onNetwork: (online, err) => {
        if (err) this.report(err);
        if (online !== this.online) {
          this.online = online;
          this.notify(true);
        }
      },
      onFatal: (err) => this.fatal(err),
    });
    this.sender.add(stored);
    this.scheduleSeal(0);
  }

  private fatal(err: TransportError): void {
    this.phase = 'error';
    this.report(err);
    this.notify(true);
    for (const w of this.waiters.splice(0)) w();
  }

  private report(err: TransportError): void {
    const code = err.status === 409 ? 'conflict' : err.retryable ? (err.status ? 'server' : 'network') : 'rejected';
    this.error({ code, message: err.message, ...(err.status ? { status: err.status } : {}), ...(err.problem ? { problem: err.problem } : {}) });
  }

  // ---- events ------------------------------------------------------------------------------

  push<K extends VeritasEvent['type']>(type: K, data: DataOf<K>, timeStamp?: number): void {
    if (!this.recording) return;
    const ev = { seq: this.seq++, t: this.clock.at(timeStamp), type, data } as VeritasEvent;
    this.unsealed.push(ev);
    if (this.unsealed.length >= this.batchEvents) this.scheduleSeal(0);
    else if (!this.sealTimer) this.scheduleSeal(this.batchMs);
    this.notify();
  }

  emit<K extends HostEventType>(type: K, data: DataOf<K>): void {
    try {
      if (!HOST_TYPES.has(type)) throw new TypeError(`emit: "${type}" is not a host event type`);
      if (typeof data !== 'object' || data === null) throw new TypeError('emit: data must be an object');
      if (type === 'sensor') {
        const { kind, samples } = data as DataOf<'sensor'>;
        for (let i = 0; i < samples.length; i += LIMITS.sensorSamples) this.push('sensor', { kind, samples: samples.slice(i, i + LIMITS.sensorSamples) });
      } else this.push(type, data);
    } catch (e) {
      this.fail('emit', e);
    }
  }

  setInputMethod(method: 'dictation' | null): void {
    this.method = method;
  }

  inputMethod(): 'dictation' | null {
    return this.method;
  }

  clip(hash: string, remember: boolean): boolean {
    if (remember) {
      this.clips.add(hash);
      return false;
    }
    return this.clips.has(hash);
  }

  private snapshot(text: string): void {
    if (this.capture) this.capture.opsSinceSnapshot = 0;
    if (text.length <= LIMITS.snapshotText) this.push('snapshot', { text });
  }

  // ---- sealing and storage -----------------------------------------------------------------

  private scheduleSeal(delay: number): void {
    if (this.sealTimer) clearTimeout(this.sealTimer);
    this.sealTimer = setTimeout(() => {
      this.sealTimer = null;
      void this.seal();
    }, delay);
  }

  /** Seals every pending event into stored batches, one sealing at a time. */
  private seal(): Promise<void> {
    this.sealing = this.sealing.then(() => this.sealAll()).catch((e: unknown) => this.fail('storage', e));
    return this.sealing;
  }

  private async sealAll(): Promise<void> {
    const state = this.state;
    while (state && state.id && this.unsealed.length > 0 && !this.disposed) {
      const events = this.unsealed.slice(0, Math.min(this.unsealed.length, LIMITS.batchEvents));
      const prev = state.lastHash ?? (await genesisHash(state.id));
      const batch = (await sealBatch(events, prev, this.macKey)) as Batch;
      const last = events[events.length - 1]!;
      const next: SessionState = { ...state, nextSeq: last.seq + 1, lastHash: batch.hash, lastT: last.t, text: applyOps(state.text, events), clipHashes: [...this.clips] };
      try {
        await this.store.commit(next, batch);
      } catch (e) {
        // Storage refused (quota, private mode): keep going in memory and say so.
        this.store = new MemoryStore();
        this.inMemory(e);
        await this.store.commit(next, batch);
      }
      Object.assign(state, { nextSeq: next.nextSeq, lastHash: next.lastHash, lastT: next.lastT, text: next.text, clipHashes: next.clipHashes });
      this.unsealed.splice(0, events.length);
      this.sender?.add([batch]);
      this.notify();
    }
  }

  /** Writes the events not yet stored to localStorage, synchronously: what a reload must not lose. */
  private spill(): void {
    try {
      if (this.unsealed.length > 0) localStorage.setItem(SPILL + this.key, JSON.stringify({ events: this.unsealed }));
      else localStorage.removeItem(SPILL + this.key);
    } catch (e) {
      this.fail('storage', e);
    }
  }

  // ---- status ------------------------------------------------------------------------------

  private notify(now = false): void {
    const q = this.status.queued;
    if (q === 0) for (const w of this.waiters.splice(0)) w();
    if (!this.opts.onStatus) return;
    if (now || q === 0) return this.fireStatus();
    this.statusTimer ??= setTimeout(() => this.fireStatus(), 150);
  }

  private fireStatus(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    const s = this.status;
    const key = `${s.state}|${s.queued}|${s.ack}|${s.sessionId}|${s.storage}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    try {
      this.opts.onStatus?.(s);
    } catch {
      /* the host's callback failing is not ours to throw */
    }
  }

  /** IndexedDB cannot be used: the host must be told, since a reload will no longer bring the session back. */
  private inMemory(e: unknown): void {
    const lost = this.mode === 'connected' ? 'what the server has not yet acknowledged' : 'the session';
    this.fail('storage', new Error(`IndexedDB unusable (${e instanceof Error ? e.message : String(e)}): the session is kept in memory only, so a reload or closing the tab loses ${lost}`));
    this.notify(true);
  }

  fail(code: string, e: unknown): void {
    this.error({ code, message: e instanceof Error ? e.message : String(e) });
  }

  private error(err: RecorderError): void {
    try {
      this.opts.onError?.(err);
    } catch {
      /* ignore */
    }
  }

  // ---- flush, end, export ------------------------------------------------------------------

  async flush(): Promise<void> {
    try {
      await this.ready;
      this.capture?.syncExternal();
      await this.seal();
      if (this.status.queued === 0 || this.phase === 'error' || !this.state) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    } catch (e) {
      this.fail('storage', e);
    }
  }

  async end(): Promise<void> {
    try {
      await this.ready;
      const state = this.state;
      if (!state || state.endedAt || this.disposed) return;
      if (this.phase === 'error') {
        // The server refused for good (e.g. 409 session-ended): nothing more can be sent, so stop
        // capturing and resolve, keeping the 'error' state and what is stored. Going on to 'ending'
        // used to hide the error and wait forever for acks that could never come.
        this.stopRunning();
        this.notify(true);
        return;
      }
      if (this.capture) {
        this.capture.syncExternal();
        if (this.capture.opsSinceSnapshot > 0) this.snapshot(this.capture.model);
        this.capture.stop();
        this.capture = null;
      }
      this.recording = false;
      state.ending = true;
      this.phase = 'ending';
      this.notify(true);
      await this.store.put(state).catch((e: unknown) => this.fail('storage', e));
      await this.flush();
      if ((this.phase as RecorderState) === 'error') return;
      if (state.mode === 'connected') {
        for (let attempt = 0; !this.disposed; attempt++) {
          try {
            await endSession(state.server ?? '', state.id!, state.writeToken!);
            break;
          } catch (e) {
            const err = e instanceof TransportError ? e : new TransportError(String(e), true);
            if (err.status === 409) break; // already ended
            this.report(err);
            if (!err.retryable) return this.fatal(err);
            await (this.sender?.sleep(attempt, err.retryAfterMs) ?? new Promise((r) => setTimeout(r, 1000)));
          }
        }
      }
      state.endedAt = new Date().toISOString();
      state.ending = false;
      if (state.mode === 'connected' && !this.opts.keepBatches) await this.store.clear(this.key);
      else await this.store.put(state);
      this.phase = 'ended';
      this.stopRunning();
      this.notify(true);
    } catch (e) {
      this.fail('storage', e);
    }
  }

  async exportBundle(): Promise<Bundle> {
    await this.ready;
    if (this.recording) {
      this.capture?.syncExternal();
      await this.seal();
    }
    const state = this.state;
    if (!state?.id) throw new Error('no session to export');
    const kept = await this.store.load(this.key);
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

  private stopRunning(): void {
    this.recording = false;
    this.capture?.stop();
    this.capture = null;
    for (const f of this.off.splice(0)) f();
    if (this.sealTimer) clearTimeout(this.sealTimer);
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.sealTimer = null;
    this.snapshotTimer = null;
    this.sender?.stop();
    this.sender = null;
  }

  detach(): void {
    try {
      this.spill();
      this.stopRunning();
      this.disposed = true;
      if (this.phase !== 'ended') this.phase = 'stopped';
    } catch (e) {
      this.fail('capture', e);
    }
  }

  async discard(): Promise<void> {
    this.detach();
    try {
      localStorage.removeItem(SPILL + this.key);
      await this.store.clear(this.key);
    } catch (e) {
      this.fail('storage', e);
    }
  }
}

/** Starts recording an editor (textarea, input or contenteditable) once consent is given. */
export function attach(element: HTMLElement, options: RecorderOptions = {}): Recorder {
  return new VeritasRecorder(element, options);
}

/** A recorder without an editor: proctoring metrics, sensor streams, marks. */
export function record(options: RecorderOptions = {}): Recorder {
  return new VeritasRecorder(null, options);
}

export { lastSeq };
