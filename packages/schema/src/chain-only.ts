/**
 * The runtime the recorder ships: canonical JSON and the batch chain, without TypeBox or any validator.
 * Exported as `@veritas/schema/chain`.
 */
export { canonicalJson } from './canonical';
export { sha256Hex, genesisHash, batchHash, macKeyFromToken, batchMac, hexEqual } from './hash';
export { sealBatch, checkBatchSelf, verifyChain, type ChainBatch, type ChainProblem } from './chain';
export { LIMITS } from './limits';
export { SESSION_FORMAT, BUNDLE_FORMAT, INGEST_PROTOCOL } from './version';
