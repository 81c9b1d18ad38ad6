export { mulberry32, Rng, textHash } from './prng';
export { simulate, SIM_KINDS, DISHONEST_KINDS, GENUINE_KINDS, INPUT_METHOD_KINDS, type SimKind, type SimOptions, type SimSession } from './simulate';
export { toBatches, toBundle, simSessionId, type BatchOptions, type BundleOptions } from './bundle';
export { Tape } from './tape';
export type { AutoVariant, TypistProfile } from './writers';
