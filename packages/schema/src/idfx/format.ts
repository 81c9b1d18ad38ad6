import type { SessionKind, SessionMeta } from '../bundle';
import type { Static } from '@sinclair/typebox';

/** The version of Veritas's IDFX mapping, written in the log's meta (`veritas.format`). */
export const IDFX_FORMAT = 'veritas.idfx/1';

/** The session an IDFX log is of: a bundle's `session`. */
export interface IdfxSession {
  id: string;
  kind: Static<typeof SessionKind>;
  createdAt: string;
  endedAt?: string;
  meta?: Static<typeof SessionMeta>;
}
