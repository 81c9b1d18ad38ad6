import { Type, type Static } from '@sinclair/typebox';
import { Hex64 } from './batch';
import { EventEnvelope, Seq } from './events';
import { LIMITS } from './limits';

/**
 * Who seals a session's batches into its chain, declared when the session is created
 * (docs/adr/0024-server-sealed-sessions.md): `client` (the default) hashes and MACs each batch
 * itself; `server` is for a client that cannot hash (a microcontroller, a page that posts its
 * metrics with plain fetch): it sends events only, and the server chains and MACs them.
 */
export const Sealing = Type.Union([Type.Literal('client'), Type.Literal('server')], {
  description:
    "Who seals the batches into the chain: 'client' (default; each batch carries prevHash, hash and mac) or 'server' (batches carry events only; the server chains them and records that it sealed them)",
});
export type Sealing = Static<typeof Sealing>;

/**
 * What `POST /v1/sessions/{id}/events` takes: a sealed batch (prevHash, hash and mac: every session
 * created with sealing "client", the default) or an unsealed one (firstSeq and events only: a session
 * created with sealing "server"). The session's declared sealing decides which; the other is refused.
 */
export const IngestBatchBody = Type.Object(
  {
    firstSeq: Seq,
    events: Type.Array(EventEnvelope, { minItems: 1, maxItems: LIMITS.batchEvents }),
    prevHash: Type.Optional(Hex64),
    hash: Type.Optional(Hex64),
    mac: Type.Optional(Hex64),
  },
  {
    additionalProperties: false,
    description:
      'A batch. Client-sealed sessions (the default): prevHash, hash and mac are required, and the hash chains it to the previous batch. Server-sealed sessions (created with sealing: "server"): firstSeq and events only, sent one batch at a time; the server chains them.',
  },
);
export type IngestBatchBody = Static<typeof IngestBatchBody>;
