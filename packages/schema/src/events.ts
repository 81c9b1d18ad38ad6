import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { LIMITS } from './limits';
import { Text, TextRecord } from './text';

/**
 * The v1 events. Every event is { seq, t, type, data }: `seq` numbers the session's events from 0
 * with no gaps, `t` is ms since the session started (monotonic), `data` depends on `type`.
 */

export const Seq = Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'Per-session sequence number, 0, 1, 2, … with no gaps' });
export const Ms = Type.Number({ minimum: 0, maximum: LIMITS.maxT, description: 'Milliseconds since the session started' });
const Label = Text({ minLength: 1, maxLength: LIMITS.label });
const Slug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_.-]*$' });
const Int = Type.Integer({ minimum: 0, maximum: 100_000_000 });

export const TextCause = Type.Union(
  ['type', 'paste', 'cut', 'drop', 'undo', 'redo', 'ime', 'autocorrect', 'dictation', 'programmatic'].map((c) => Type.Literal(c)),
  { description: 'What produced the change, from the input event that made it' },
);
export type TextCause = Static<typeof TextCause>;

export const KeyClass = Type.Union(
  ['char', 'space', 'enter', 'backspace', 'delete', 'nav', 'modifier', 'other'].map((c) => Type.Literal(c)),
  { description: 'The class of a key; the key itself is never recorded' },
);
export type KeyClass = Static<typeof KeyClass>;

/** The data of each event type: the single source of truth for the v1 event set. */
export const EventData = {
  consent: Type.Object(
    { policy: Label, accepted: Type.Boolean() },
    { additionalProperties: false, description: 'The writer agreed to recording; the first event of a recorded session' },
  ),
  'text.op': Type.Object(
    {
      pos: Int,
      del: Int,
      ins: Text({ maxLength: LIMITS.opText }),
      cause: TextCause,
      trusted: Type.Optional(Type.Boolean({ description: 'isTrusted of the input event' })),
    },
    { additionalProperties: false, description: 'At `pos`, `del` characters were removed and `ins` inserted (UTF-16 code units)' },
  ),
  key: Type.Object(
    {
      class: KeyClass,
      hold: Type.Number({ minimum: 0, maximum: 600_000, description: 'ms between press and release; `t` is the release, so the press was at t - hold' }),
      trusted: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  selection: Type.Object({ start: Int, end: Int }, { additionalProperties: false }),
  clipboard: Type.Object(
    {
      action: Type.Union([Type.Literal('copy'), Type.Literal('cut'), Type.Literal('paste')]),
      len: Int,
      hash: Type.String({ pattern: '^[0-9a-f]{16,64}$', description: 'SHA-256 of the clipboard text, hex, possibly truncated' }),
      internal: Type.Optional(Type.Boolean({ description: 'A paste whose hash matches an earlier copy/cut of this session' })),
    },
    { additionalProperties: false },
  ),
  focus: Type.Object({ state: Type.Union([Type.Literal('focus'), Type.Literal('blur')]) }, { additionalProperties: false }),
  visibility: Type.Object({ state: Type.Union([Type.Literal('visible'), Type.Literal('hidden')]) }, { additionalProperties: false }),
  snapshot: Type.Object({ text: Text({ maxLength: LIMITS.snapshotText }) }, { additionalProperties: false }),
  metrics: Type.Object(
    {
      values: TextRecord(64, Type.Union([Type.Number(), Type.Boolean()]), { maxProperties: LIMITS.metricValues }),
      source: Type.Optional(Label),
    },
    { additionalProperties: false, description: 'Client-derived scores (confusion, engagement, faceDetected, faces …) as the host labels them' },
  ),
  violation: Type.Object(
    {
      kind: Slug,
      confidence: Type.Number({ minimum: 0, maximum: 1 }),
      detail: Type.Optional(Label),
    },
    { additionalProperties: false, description: 'multiple_faces, no_face, prolonged_absence, …' },
  ),
  sensor: Type.Object(
    {
      kind: Slug,
      samples: Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 8 }), {
        minItems: 1,
        maxItems: LIMITS.sensorSamples,
        description: '[t, x, y, z, …] rows, t in session ms',
      }),
    },
    { additionalProperties: false },
  ),
  mark: Type.Object({ label: Label }, { additionalProperties: false }),
  custom: Type.Object(
    {
      name: Label,
      data: Type.Unknown({ description: `Any JSON value, at most ${LIMITS.customDepth} levels deep; no string or key holds U+0000 or a lone surrogate` }),
    },
    { additionalProperties: false },
  ),
} as const satisfies Record<string, TSchema>;

export type EventType = keyof typeof EventData;
export const EVENT_TYPES = Object.keys(EventData) as EventType[];

function eventOf<K extends EventType>(type: K) {
  return Type.Object({ seq: Seq, t: Ms, type: Type.Literal(type), data: EventData[type] }, { additionalProperties: false, $id: undefined });
}

/** One event, any type: the union the bundle format and the TypeScript types use. */
export const Event = Type.Union(
  EVENT_TYPES.map((k) => eventOf(k)),
  { description: 'A v1 session event' },
);

/** An event of type K with its typed data. */
export type EventOf<K extends EventType> = { seq: number; t: number; type: K; data: Static<(typeof EventData)[K]> };
export type VeritasEvent = { [K in EventType]: EventOf<K> }[EventType];
export type EventDataOf<K extends EventType> = Static<(typeof EventData)[K]>;

/** The envelope the transport checks first, so an unknown type gets a clear answer before its data is read. */
export const EventEnvelope = Type.Object(
  {
    seq: Seq,
    t: Ms,
    // One enum rather than a union of literals, so an unknown type gets one clear error.
    type: Type.Unsafe<EventType>(Type.String({ enum: EVENT_TYPES, description: 'Event type' })),
    data: Type.Unknown(),
  },
  { additionalProperties: false },
);
