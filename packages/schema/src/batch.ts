import { Type, type Static } from '@sinclair/typebox';
import { EventEnvelope, Seq } from './events';
import { LIMITS } from './limits';
import type { VeritasEvent } from './events';

export const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lowercase hex' });
export const SessionId = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$', description: 'Unguessable session id' });

/** The transport unit, as sent over HTTP and WebSocket. Events are checked per type after the envelope. */
export const BatchBody = Type.Object(
  {
    firstSeq: Seq,
    events: Type.Array(EventEnvelope, { minItems: 1, maxItems: LIMITS.batchEvents }),
    prevHash: Hex64,
    hash: Hex64,
    mac: Type.Optional(Hex64),
  },
  { additionalProperties: false, description: 'A batch: its hash chains it to the previous batch of the session' },
);
export type BatchBody = Static<typeof BatchBody>;

/** A batch whose events have passed their per-type checks. */
export interface Batch {
  firstSeq: number;
  events: VeritasEvent[];
  prevHash: string;
  hash: string;
  mac?: string;
  /** 'server': sealed by the server for a session created with sealing: "server" (absent: by the client). */
  sealedBy?: 'server';
}
