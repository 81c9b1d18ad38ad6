import { LIMITS, batchMac, macKeyFromToken } from '@veritas/schema/chain';
import { EventBatcher } from './batcher';
import { bundleOf } from './bundle-export';
import type { CaptureSink } from './capture';
import { SessionClock } from './clock';
import { EditorRecording } from './editor-recording';
import { recorderError, tellHost } from './errors';
import { watchPage } from './page-events';
import { ServerLink } from './server-link';
import { applyOps, modeOf, newSessionState, type RecorderMode } from './session-state';
import { SessionStorage } from './session-storage';
import { StatusTracker } from './status';
import type { SessionState } from './store';
import type { Batch, Bundle, EventDataOf, HostEventType, Recorder, RecorderOptions, RecorderState, RecorderStatus, VeritasEvent } from './types';

type DataOf<K extends VeritasEvent['type']> = EventDataOf<K>;

const HOST_TYPES = new Set<string>(['metrics', 'violation', 'sensor', 'mark', 'custom']);

/**
 * The recorder core: a session's lifecycle (consent and start, resume after a reload, end, detach)
 * and the wiring between editor, batcher, storage, server link and status. Nothing here throws into the
 * host page: failures go to `onError`.
 */
export class VeritasRecorder implements Recorder, CaptureSink {
  readonly ready: Promise<{ resumed: boolean }>;
  private readonly mode: RecorderMode;
  private readonly key: string;
  private readonly storage: SessionStorage;
  private readonly batcher: EventBatcher;
  private readonly tracker: StatusTracker;
  private readonly editor: EditorRecording;
  private readonly link: ServerLink;
  private readonly clock = new SessionClock();
  private state: SessionState | null = null;
  private recording = false;
  private disposed = false;
  private readonly clips = new Set<string>();
  private method: 'dictation' | null = null;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly el: HTMLElement | null,
    private readonly opts: RecorderOptions,
  ) {
    this.mode = modeOf(opts);
    this.key = opts.storageKey ?? 'default';
    this.storage = new SessionStorage(this.key, this.mode, (err) => {
      this.fail('storage', err);
      this.tracker.notify(true);
    });
    this.tracker = new StatusTracker(
      opts,
      () => this.status,
      () => this.queued(),
    );
    const stopped = () => this.disposed;
    const fail = (code: string, e: unknown) => this.fail(code, e);
    this.batcher = new EventBatcher(opts, {
      session: () => this.state,
      clipHashes: () => [...this.clips],
      commit: (next, batch) => this.storage.commit(next, batch),
      sealed: (batch) => {
        this.link.send(batch);
        this.tracker.notify();
      },
      stopped,
      fail,
    });
    this.link = new ServerLink(opts, this.storage, this.tracker, { stopped, fail, sealSoon: () => this.batcher.schedule(0) });
    this.editor = new EditorRecording(el, this, opts);
    this.ready = this.init().catch((e: unknown) => {
      this.fail('storage', e);
      return { resumed: false };
    });
  }

  get sessionId(): string | null {
    return this.state?.id ?? null;
  }

  get status(): RecorderStatus {
    const queued = this.queued();
    const ack = this.state?.ack ?? -1;
    return { state: this.tracker.shownState(), mode: this.mode, sessionId: this.sessionId, queued, saved: queued === 0, ack, storage: this.storage.kind };
  }

  /** Connected: events the server has not acknowledged. Client-only: events not yet stored in the browser. */
  private queued(): number {
    return this.mode === 'connected' ? Math.max(0, this.batcher.seq - 1 - (this.state?.ack ?? -1)) : this.batcher.unsealed.length;
  }

  // ---- lifecycle: create, resume ----------------------------------------------------------

  private async init(): Promise<{ resumed: boolean }> {
    await this.storage.open(this.opts.storage);
    const kept = this.opts.resume === false ? null : await this.storage.load();
    if (this.disposed) return { resumed: false };
    if (kept && !kept.state.endedAt) {
      const batches = await this.takeHostToken(kept.state, kept.batches);
      if (this.disposed) return { resumed: false };
      this.resume(kept.state, batches);
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

  /** A new session whose first event is the consent; an ended one kept from before is forgotten. */
  private async startNow(consent: { policy: string }): Promise<void> {
    try {
      if (this.recording || this.disposed) return;
      if (this.state) await this.storage.clear();
      const state = (this.state = newSessionState(this.key, this.opts, !!this.el));
      this.batcher.seq = 0;
      this.clock.begin();
      this.recording = true;
      this.tracker.phase = 'starting';
      this.push('consent', { policy: consent.policy.slice(0, LIMITS.label) || 'unspecified', accepted: true });
      state.text = this.editor.startNew();
      await this.storage.put(state).catch((e: unknown) => this.fail('storage', e));
      this.begin();
    } catch (e) {
      this.fail('capture', e);
    }
  }

  /**
   * A host that resumes the kept session brings its current write token (resuming an exam attempt
   * rotates it, and the old one writes no more): the kept state takes it, and the kept batches not yet
   * acknowledged are re-signed with it. Their MAC covers only their hash, so the chain is unchanged.
   */
  private async takeHostToken(state: SessionState, batches: Batch[]): Promise<Batch[]> {
    const host = this.opts.session;
    if (!host || host.id !== state.id || host.writeToken === state.writeToken) return batches;
    state.writeToken = host.writeToken;
    const key = await macKeyFromToken(host.writeToken);
    const resigned: Batch[] = [];
    for (const b of batches) resigned.push({ ...b, mac: await batchMac(key, b.hash) });
    try {
      for (const b of resigned) await this.storage.commit(state, b);
      await this.storage.put(state);
    } catch (e) {
      this.fail('storage', e); // what is in memory still sends with the new token
    }
    return resigned;
  }

  /** Continues an unfinished session after a reload: the same chain, numbering and clock, with what the last page spilled. */
  private resume(state: SessionState, batches: Batch[]): void {
    this.state = state;
    const spilled = this.storage.takeSpill(state.nextSeq);
    this.batcher.unsealed = spilled;
    this.batcher.seq = state.nextSeq + spilled.length;
    for (const h of state.clipHashes) this.clips.add(h);
    for (const e of spilled) if (e.type === 'clipboard' && e.data.action !== 'paste') this.clips.add(e.data.hash);
    this.clock.begin(state.startedAtMs, Math.max(state.lastT, spilled.at(-1)?.t ?? 0));
    this.recording = !state.ending;
    this.tracker.phase = state.ending ? 'ending' : 'starting';
    if (state.text !== null && !state.ending) this.editor.resume(applyOps(state.text, spilled)!);
    this.begin(batches);
    if (state.ending) void this.end();
  }

  /** Timers, page listeners, and (connected) the session and its sender. */
  private begin(stored: Batch[] = []): void {
    this.off.push(
      watchPage({
        visibility: (hidden) => this.push('visibility', { state: hidden ? 'hidden' : 'visible' }),
        leaving: () => this.spill(),
        fail: (code, e) => this.fail(code, e),
      }),
    );
    this.editor.startSnapshots();
    this.tracker.phase = this.state?.ending ? 'ending' : 'recording';
    if (this.mode === 'connected') void this.link.open(this.state!, stored);
    this.batcher.schedule(0);
    this.tracker.notify(true);
  }

  fail(code: string, e: unknown): void {
    tellHost(this.opts, recorderError(code, e));
  }

  // ---- events -------------------------------------------------------------------------------

  push<K extends VeritasEvent['type']>(type: K, data: DataOf<K>, timeStamp?: number): void {
    // What the capture read before this event comes first (a no-op while the capture itself drains).
    this.editor.drain();
    if (!this.recording) return;
    this.batcher.add(type, data, this.clock.at(timeStamp));
    this.tracker.notify();
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
    // The capture judges what it read with the method of that moment: what came before is drained first.
    this.editor.drain();
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

  private spill(): void {
    try {
      this.editor.drain();
      this.storage.spill(this.batcher.unsealed);
    } catch (e) {
      this.fail('storage', e);
    }
  }

  // ---- flush, end, export, detach -------------------------------------------------------------

  async flush(): Promise<void> {
    try {
      await this.ready;
      this.editor.sync();
      await this.batcher.seal();
      if (this.queued() === 0 || this.tracker.phase === 'error' || !this.state) return;
      await this.tracker.whenSaved();
    } catch (e) {
      this.fail('storage', e);
    }
  }

  async end(): Promise<void> {
    try {
      await this.ready;
      const state = this.state;
      if (!state || state.endedAt || this.disposed) return;
      if (this.tracker.phase === 'error') {
        // The server refused for good (e.g. 409 session-ended): nothing more can be sent, so stop
        // capturing and resolve, keeping the 'error' state and what is stored. Going on to 'ending'
        // used to hide the error and wait forever for acks that could never come.
        this.stopRunning();
        this.tracker.notify(true);
        return;
      }
      this.editor.finish();
      this.recording = false;
      state.ending = true;
      this.tracker.phase = 'ending';
      this.tracker.notify(true);
      await this.storage.put(state).catch((e: unknown) => this.fail('storage', e));
      await this.flush();
      if ((this.tracker.phase as RecorderState) === 'error') return;
      if (state.mode === 'connected' && !(await this.link.end(state))) return;
      await this.markEnded(state);
    } catch (e) {
      this.fail('storage', e);
    }
  }

  /** Connected sessions forget their batches once ended (the server holds them) unless `keepBatches`. */
  private async markEnded(state: SessionState): Promise<void> {
    state.endedAt = new Date().toISOString();
    state.ending = false;
    if (state.mode === 'connected' && !this.opts.keepBatches) await this.storage.clear();
    else await this.storage.put(state);
    this.tracker.phase = 'ended';
    this.stopRunning();
    this.tracker.notify(true);
  }

  async exportBundle(): Promise<Bundle> {
    await this.ready;
    if (this.recording) {
      this.editor.sync();
      await this.batcher.seal();
    }
    return bundleOf(this.state, this.storage);
  }

  private stopRunning(): void {
    this.editor.drain();
    this.recording = false;
    this.editor.stop();
    for (const f of this.off.splice(0)) f();
    this.batcher.cancel();
    this.link.stop();
  }

  detach(): void {
    try {
      this.spill();
      this.stopRunning();
      this.disposed = true;
      if (this.tracker.phase !== 'ended') this.tracker.phase = 'stopped';
    } catch (e) {
      this.fail('capture', e);
    }
  }

  async discard(): Promise<void> {
    this.detach();
    try {
      this.storage.dropSpill();
      await this.storage.clear();
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
