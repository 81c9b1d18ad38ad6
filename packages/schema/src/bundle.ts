import { Type, type Static } from '@sinclair/typebox';
import { BUNDLE_FORMAT } from './version';
import { Event, Seq } from './events';
import { Hex64, SessionId } from './batch';
import { LIMITS } from './limits';
import { Text, TextRecord, Timestamp } from './text';
import type { Batch } from './batch';
import { Capabilities } from './capabilities';
import { Sealing } from './sealing';

export const SessionKind = Type.Union([Type.Literal('writing'), Type.Literal('proctoring'), Type.Literal('sensor'), Type.Literal('generic')], {
  description: 'What the session captures',
});
export type SessionKind = Static<typeof SessionKind>;

export const SessionMeta = Type.Object(
  {
    title: Type.Optional(Text({ maxLength: 200 })),
    prompt: Type.Optional(Text({ maxLength: 10_000 })),
    initialText: Type.Optional(Text({ maxLength: 1_000_000 })),
    labels: Type.Optional(TextRecord(64, Text({ maxLength: 200 }), { maxProperties: 32 })),
    capabilities: Type.Optional(
      Type.Partial(Capabilities, {
        additionalProperties: false,
        description: 'What the source captures; undeclared signals default to captured (what the Veritas recorder captures)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SessionMeta = Static<typeof SessionMeta>;

export const BundleBatch = Type.Object(
  {
    firstSeq: Seq,
    events: Type.Array(Event, { minItems: 1, maxItems: LIMITS.batchEvents }),
    prevHash: Hex64,
    hash: Hex64,
    mac: Type.Optional(Hex64),
    sealedBy: Type.Optional(
      Type.Literal('server', {
        description: 'Sealed by the server for a client that cannot hash (docs/adr/0024); absent: sealed by the client, whose MAC is its own tamper evidence',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The v1 bundle: one session with its batches, so anyone can re-check the chain offline. */
export const Bundle = Type.Object(
  {
    format: Type.Literal(BUNDLE_FORMAT),
    session: Type.Object(
      {
        id: SessionId,
        kind: SessionKind,
        createdAt: Timestamp(),
        endedAt: Type.Optional(Timestamp()),
        meta: Type.Optional(SessionMeta),
        sealing: Type.Optional(Sealing),
      },
      { additionalProperties: false },
    ),
    batches: Type.Array(BundleBatch, { maxItems: LIMITS.bundleBatches }),
  },
  { additionalProperties: false, description: 'A v1 session bundle' },
);
export type Bundle = Omit<Static<typeof Bundle>, 'batches'> & { batches: Batch[] };
