/** Input limits shared by the recorder (which splits to fit) and the server (which refuses beyond). */
export const LIMITS = {
  /** Events in one transport batch. */
  batchEvents: 1000,
  /** Characters inserted by one text.op (a large paste is one op). */
  opText: 200_000,
  /** Characters of one snapshot. */
  snapshotText: 1_000_000,
  /** Samples in one sensor event. */
  sensorSamples: 1000,
  /** Named values in one metrics event. */
  metricValues: 64,
  /** Short strings: labels, kinds, names. */
  label: 200,
  /** Batches in one bundle. */
  bundleBatches: 100_000,
  /** How far ahead of the stored sequence a batch may arrive and still be held. */
  seqWindow: 10_000,
  /** Levels of arrays and objects in custom event data (JSON nested deeper is refused). */
  customDepth: 32,
  /** Longest session, in ms (7 days): t beyond it is refused. */
  maxT: 7 * 24 * 3600 * 1000,
} as const;
