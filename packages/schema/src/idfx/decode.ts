import { XMLParser } from 'fast-xml-parser';
import type { VeritasEvent } from '../events';
import { checkEvents } from '../validate';
import { LIMITS } from '../limits';
import type { Capabilities } from '../capabilities';
import { classOfKey, insertedBy } from './keys';
import { IDFX_FORMAT, type IdfxSession } from './format';

/**
 * An IDFX log read back into a session's events. A log Veritas wrote carries its events in `veritas`
 * parts and is read from them, exactly. Any other IDFX log (Inputlog's own) is read from its winlog and
 * wordlog parts: each keyboard event gives a key event (class from the key name, hold = release −
 * press, at the release) and, when it changed the text (replay True, no replacement after it), the
 * typed change at its position; replacement and insert events give their change. Times are the log's
 * (from the first event when they count from the machine's start). What such a
 * log cannot tell (clipboard, focus, selection, trusted flags) is declared not captured.
 */

export class IdfxError extends Error {}

/** The most events one log may hold (a bundle's own limit: 100,000 batches of 1,000). */
export const IDFX_MAX_EVENTS = 5_000_000;

export interface IdfxRead {
  session: Partial<IdfxSession>;
  events: VeritasEvent[];
  /** Whether the events came from Veritas parts (exact) or from the IDFX parts. */
  source: 'veritas' | 'idfx';
  /** What the log captured, for the bundle's `meta.capabilities` (only for a log read from its IDFX parts). */
  capabilities?: Capabilities;
}

/** What an IDFX log read from its own parts captures: text changes and keys with hold times, nothing else. */
export const IDFX_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  textChanges: true,
  keys: true,
  keyHolds: true,
  clipboard: false,
  focus: false,
  selection: false,
  trustedFlags: false,
});

type Node = Record<string, unknown>;
type Part = Node & { '@_type'?: string };
interface IdfxEvent {
  type: string;
  parts: Map<string, Part>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => name === 'event' || name === 'part' || name === 'entry',
});

const text = (v: unknown): string =>
  typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Node)['#text'] === 'string' ? ((v as Node)['#text'] as string) : '';
function int(v: unknown, what: string): number {
  const s = text(v).trim();
  if (!/^-?\d+(\.\d+)?$/.test(s)) throw new IdfxError(`${what} is not a number: "${s.slice(0, 40)}"`);
  return Number(s);
}

function readLog(xml: string): { meta: Map<string, string>; events: IdfxEvent[] } {
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (err) {
    throw new IdfxError(`not well-formed XML: ${(err as Error).message}`);
  }
  const log = doc.log as Node | undefined;
  if (!log || typeof log !== 'object') throw new IdfxError('not an IDFX log: no <log> element');
  const meta = new Map<string, string>();
  for (const e of ((log.meta as Node | undefined)?.entry as Node[] | undefined) ?? []) meta.set(text(e.key).trim(), text(e.value));
  const raw = (log.event as Node[] | undefined) ?? [];
  if (raw.length > IDFX_MAX_EVENTS) throw new IdfxError(`more than ${IDFX_MAX_EVENTS} events`);
  const events = raw.map((e) => ({
    type: String(e['@_type'] ?? ''),
    parts: new Map(((e.part as Part[] | undefined) ?? []).map((p) => [String(p['@_type'] ?? ''), p])),
  }));
  return { meta, events };
}

function sessionOf(meta: Map<string, string>): Partial<IdfxSession> {
  const out: Partial<IdfxSession> = {};
  const id = meta.get('veritas.sessionId');
  if (id) out.id = id;
  const kind = meta.get('veritas.kind');
  if (kind === 'writing' || kind === 'proctoring' || kind === 'sensor' || kind === 'generic') out.kind = kind;
  const created =
    meta.get('veritas.createdAt') ?? (meta.has('__LogCreationTimeStamp') ? new Date(Number(meta.get('__LogCreationTimeStamp'))).toISOString() : undefined);
  if (created && !Number.isNaN(Date.parse(created))) out.createdAt = new Date(created).toISOString();
  const ended = meta.get('veritas.endedAt');
  if (ended && !Number.isNaN(Date.parse(ended))) out.endedAt = new Date(ended).toISOString();
  const m = meta.get('veritas.meta');
  if (m) {
    try {
      out.meta = JSON.parse(m);
    } catch {
      throw new IdfxError('veritas.meta is not JSON');
    }
  }
  return out;
}

function fromVeritasParts(events: IdfxEvent[]): VeritasEvent[] {
  const out: VeritasEvent[] = [];
  for (const e of events) {
    const part = e.parts.get('veritas');
    if (!part) continue;
    try {
      out.push(...(JSON.parse(text(part.events)) as VeritasEvent[]));
    } catch {
      throw new IdfxError('a veritas part does not hold a JSON array of events');
    }
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/**
 * The events an IDFX log's own parts tell: keys and text changes. A change is placed at its key's
 * press (never before the change logged before it), a key event at its release with its hold, and
 * then all are put in time order: keys overlap, so a key may be released after the next change.
 */
function fromIdfxParts(events: IdfxEvent[]): VeritasEvent[] {
  const out: { t: number; order: number; e: Omit<VeritasEvent, 'seq'> }[] = [];
  // IDFX times count from the log's start; some loggers count from the machine's (past any session's
  // length): then they count from the first event.
  let t0: number | undefined;
  const rel = (t: number) => {
    t0 ??= t > LIMITS.maxT ? t : 0;
    return Math.max(0, t - t0);
  };
  let opT = 0;
  const change = (t: number, data: object) => {
    opT = Math.max(opT, rel(t));
    out.push({ t: opT, order: out.length, e: { t: opT, type: 'text.op', data } as Omit<VeritasEvent, 'seq'> });
  };
  events.forEach((e, i) => {
    const win = e.parts.get('winlog');
    const word = e.parts.get('wordlog');
    if (e.type === 'keyboard' && win && word) {
      const start = int(win.startTime, 'startTime');
      const end = int(win.endTime, 'endTime');
      const value = text(win.value);
      const cls = classOfKey(text(win.key).trim(), value);
      if (text(word.replay).trim().toLowerCase() === 'true' && events[i + 1]?.type !== 'replacement') {
        const ins = insertedBy(cls, value);
        change(start, { pos: int(word.position, 'position'), del: ins === '' ? 1 : 0, ins, cause: 'type' });
      }
      const release = Math.max(rel(end), rel(start));
      out.push({
        t: release,
        order: out.length,
        e: { t: release, type: 'key', data: { class: cls, hold: release - rel(start) } } as Omit<VeritasEvent, 'seq'>,
      });
    } else if ((e.type === 'replacement' || e.type === 'insert') && word) {
      const start = e.type === 'insert' ? int(word.position, 'position') : int(word.start, 'start');
      const del = e.type === 'insert' ? 0 : int(word.end, 'end') - start;
      const typed = events[i - 1]?.type === 'keyboard';
      change(win ? int(win.startTime, 'startTime') : (t0 ?? 0) + opT, {
        pos: start,
        del: Math.max(0, del),
        ins: text(word.newtext),
        cause: typed ? 'type' : e.type === 'insert' ? 'paste' : 'programmatic',
      });
    }
  });
  out.sort((a, b) => a.t - b.t || a.order - b.order);
  return out.map((x, seq) => ({ ...x.e, seq }) as VeritasEvent);
}

/**
 * Reads an IDFX log. `exact` (default true) reads the Veritas parts when the log has them; false reads
 * the IDFX parts only (what a tool that knows nothing of Veritas sees). The events are checked as
 * ingest checks them; an IdfxError says what is wrong.
 */
export function fromIdfx(xml: string, { exact = true }: { exact?: boolean } = {}): IdfxRead {
  const { meta, events } = readLog(xml);
  const session = sessionOf(meta);
  const useVeritas = exact && meta.get('veritas.format') === IDFX_FORMAT && events.some((e) => e.parts.has('veritas'));
  const read = useVeritas ? fromVeritasParts(events) : fromIdfxParts(events);
  if (read.length === 0) throw new IdfxError('the log holds no event Veritas can read');
  const checked = checkEvents(0, read);
  if (!checked.ok)
    throw new IdfxError(
      checked.issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; '),
    );
  return useVeritas
    ? { session, events: checked.events, source: 'veritas' }
    : { session, events: checked.events, source: 'idfx', capabilities: IDFX_CAPABILITIES };
}
