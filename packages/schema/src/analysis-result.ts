import { Type, type Static } from '@sinclair/typebox';
import { CAPTURE_SIGNALS, Capabilities } from './capabilities';

/**
 * The analysis result, its flags, evidence and settings: the one definition. @veritas/analysis
 * derives its types from these (Static<>), the server answers with them (and the OpenAPI document
 * shows them), replay places `Flag`s on its timeline and the viewer checks what it loads with them.
 */

/** v2: score may be 'not-enough-data', capabilities and notChecked, evidence moments, boundary transitions. */
export const ANALYSIS_FORMAT = 'veritas.analysis/v2' as const;

const Num = Type.Number();
const Int = Type.Integer({ minimum: 0 });

export const Severity = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);
export type Severity = Static<typeof Severity>;
export const RiskLabel = Severity;
export type RiskLabel = Static<typeof RiskLabel>;

export const DETECTOR_NAMES = [
  'external-paste',
  'paste-share',
  'transcription',
  'machine-regular',
  'untrusted-input',
  'keyless-text',
  'burst-after-return',
  'prolonged-absence',
  'several-faces',
  'no-face',
] as const;
export const DetectorName = Type.Union(
  DETECTOR_NAMES.map((d) => Type.Literal(d)),
  { description: 'The detector that raised the flag' },
);
export type DetectorName = (typeof DETECTOR_NAMES)[number];

export const PAUSE_LOCATIONS = ['withinWord', 'beforeWord', 'beforeSentence', 'beforeParagraph', 'beforeRevision'] as const;
export type PauseLocation = (typeof PAUSE_LOCATIONS)[number];

/** One stretch of the session that made the case: a reviewer jumps to it in the replay. */
export const Moment = Type.Object(
  {
    seqFrom: Type.Integer(),
    seqTo: Type.Integer(),
    tFrom: Num,
    tTo: Num,
    excerpt: Type.String({ description: 'The text typed in the stretch (shortened)' }),
  },
  { additionalProperties: false },
);
export type Moment = Static<typeof Moment>;

/** The part of the session a flag points at, so a person can go and look. */
export const Evidence = Type.Object(
  {
    seqFrom: Type.Integer(),
    seqTo: Type.Integer(),
    tFrom: Num,
    tTo: Num,
    excerpt: Type.String({ description: "A short excerpt of the text concerned ('' when there is none)" }),
    moments: Type.Optional(
      Type.Array(Moment, { maxItems: 20, description: 'The stretches that made the case (e.g. sentences typed without a pause), in session order' }),
    ),
  },
  { additionalProperties: false, description: 'Where in the stream the flag comes from' },
);
export type Evidence = Static<typeof Evidence>;

/** Evidence for a person to weigh, never a verdict. */
export const Flag = Type.Object(
  {
    detector: DetectorName,
    severity: Severity,
    evidence: Evidence,
    message: Type.String({ description: 'One sentence a teacher understands, stating what was measured with the numbers' }),
    values: Type.Record(Type.String(), Num, { description: 'The measured values beside the thresholds they were compared with' }),
  },
  { additionalProperties: false, description: 'Evidence for a person to weigh, never a verdict' },
);
export type Flag = Static<typeof Flag>;

export const NOTE_TOPICS = ['input-method', 'host-signals', 'little-data', 'assistive-technology', 'not-captured'] as const;
export const Note = Type.Object(
  { topic: Type.Union(NOTE_TOPICS.map((t) => Type.Literal(t))), message: Type.String() },
  { additionalProperties: false, description: 'What is not a flag: input methods, host signals, too little data, signals not captured' },
);
export type Note = Static<typeof Note>;

export const Distribution = Type.Object({
  count: Int,
  meanMs: Num,
  medianMs: Num,
  q1Ms: Num,
  q3Ms: Num,
  iqrMs: Num,
  cv: Type.Number({ description: 'Coefficient of variation: standard deviation ÷ mean' }),
  iqrOverMedian: Type.Number({ description: 'Interquartile range ÷ median: spread that one long pause cannot inflate' }),
});
export type Distribution = Static<typeof Distribution>;

export const PauseLocationStats = Type.Object({
  intervals: Type.Integer({ description: 'Intervals that ended at this location (any length)' }),
  pauses: Type.Integer({ description: 'Of those, pauses at or over the pause threshold' }),
  medianMs: Num,
  meanMs: Num,
});
export type PauseLocationStats = Static<typeof PauseLocationStats>;

export const Departure = Type.Object({
  seqFrom: Type.Integer(),
  seqTo: Type.Integer(),
  tFrom: Num,
  tTo: Num,
  durationMs: Num,
  charsAfterReturn: Type.Integer({ description: 'Characters that entered the text within the return window after coming back' }),
  excerptAfterReturn: Type.String(),
});
export type Departure = Static<typeof Departure>;

export const SpeedWindow = Type.Object({
  tFrom: Num,
  chars: Type.Integer({ description: "Characters typed (cause 'type') in the window" }),
  keys: Type.Integer(),
});
export type SpeedWindow = Static<typeof SpeedWindow>;

const Count = Type.Object({ count: Int, chars: Int });

export const WritingMetrics = Type.Object({
  totalMs: Type.Number({ description: 'ms from the first to the last event' }),
  activeMs: Type.Number({ description: 'Sum of intervals between text changes shorter than the pause threshold' }),
  pauses: Type.Object({
    thresholdMs: Num,
    thresholdsMs: Type.Array(Num),
    countsOver: Type.Array(Num, { description: 'Count of intervals at or over each threshold in `thresholdsMs`' }),
    totalPauseMs: Num,
    byLocation: Type.Object(Object.fromEntries(PAUSE_LOCATIONS.map((l) => [l, PauseLocationStats])) as Record<PauseLocation, typeof PauseLocationStats>),
    sentenceGradient: Type.Number({
      description:
        'Median of the longest interval in each sentence or paragraph boundary transition ÷ median interval within a word (composing: high; copying: near 1)',
    }),
    sentencePauseShare: Type.Number({ description: 'Share of sentence and paragraph boundaries holding a pause at or over the threshold' }),
    boundaries: Type.Integer({
      description:
        'Sentence and paragraph boundary transitions: the intervals from the end of a sentence (its punctuation and the whitespace after it) to the next sentence’s first character',
    }),
    pausedBoundaries: Type.Integer({ description: 'Of those, transitions holding a pause at or over the threshold' }),
    count: Type.Integer({ description: 'Intervals at or over the pause threshold, anywhere' }),
    intervalsWithAway: Type.Integer({ description: 'Intervals that contained time away from the page (not classified)' }),
  }),
  bursts: Type.Object({ p: Type.Object({ count: Int, meanChars: Num }), r: Type.Object({ count: Int, meanChars: Num }) }),
  keys: Type.Object({
    count: Int,
    interKey: Distribution,
    hold: Distribution,
    overlapRatio: Type.Number({ description: 'Share of production keys pressed before the previous one was released' }),
    untrusted: Int,
  }),
  speed: Type.Object({ windowMs: Num, windows: Type.Array(SpeedWindow), meanCharsPerMin: Num, cv: Num }),
  revisions: Type.Object({
    insertedChars: Int,
    deletedChars: Int,
    deletions: Int,
    revisionRatio: Type.Number({ description: 'Deleted ÷ inserted characters' }),
    inTextEdits: Type.Integer({ description: 'Edits (not input methods) that changed earlier text, away from the end of the text' }),
    finalLength: Int,
    productProcessRatio: Type.Number({ description: 'Final length ÷ all characters inserted' }),
  }),
  paste: Type.Object({
    count: Int,
    chars: Int,
    internal: Count,
    external: Type.Object({ count: Int, chars: Int, largest: Int }),
    shareOfFinal: Type.Number({ description: 'Externally pasted characters still in the final text ÷ final length' }),
    shareOfAdded: Type.Number({ description: 'Externally pasted characters ÷ all characters inserted' }),
  }),
  keyless: Type.Object({
    largestInsertion: Type.Union([Type.Object({ chars: Int, seq: Type.Integer(), t: Num, cause: Type.String() }), Type.Null()]),
    typedWithoutKeys: Int,
    programmaticChars: Int,
    untrustedChars: Int,
  }),
  inputMethod: Type.Object({ ops: Int, chars: Int, byCause: Type.Object({ ime: Int, dictation: Int, autocorrect: Int }) }),
  away: Type.Object({ departures: Int, totalMs: Num, longestMs: Num, list: Type.Array(Departure) }),
  snapshots: Type.Object({ count: Int, mismatches: Int }),
  typedChars: Int,
  textKeys: Int,
});
export type WritingMetrics = Static<typeof WritingMetrics>;

export const ProctoringMetrics = Type.Object({
  metricsEvents: Int,
  noFaceMs: Num,
  severalFacesEvents: Int,
  violations: Type.Record(Type.String(), Num),
});
export type ProctoringMetrics = Static<typeof ProctoringMetrics>;

export const SensorKindMetrics = Type.Object({ kind: Type.String(), events: Int, samples: Int, rateHz: Num, gaps: Int, longestGapMs: Num, gapMs: Num });
export type SensorKindMetrics = Static<typeof SensorKindMetrics>;

export const HostSignal = Type.Object({
  key: Type.String(),
  source: Type.String(),
  count: Int,
  min: Num,
  max: Num,
  mean: Num,
  last: Num,
  series: Type.Array(Type.Tuple([Num, Num])),
});
export type HostSignal = Static<typeof HostSignal>;

export const Metrics = Type.Object({
  events: Int,
  firstSeq: Type.Integer(),
  lastSeq: Type.Integer(),
  durationMs: Num,
  byType: Type.Record(Type.String(), Num),
  writing: Type.Union([WritingMetrics, Type.Null()]),
  proctoring: Type.Union([ProctoringMetrics, Type.Null()]),
  sensor: Type.Union([Type.Array(SensorKindMetrics), Type.Null()]),
});
export type Metrics = Static<typeof Metrics>;

export const ScoreReason = Type.Object({
  detector: Type.Union([DetectorName, Type.Literal('none')]),
  severity: Severity,
  flags: Int,
  weight: Num,
  message: Type.String(),
});
export type ScoreReason = Static<typeof ScoreReason>;

/** A score, or "not enough data": then there is no integrity and no risk label at all. */
export const Score = Type.Union(
  [
    Type.Object({
      verdict: Type.Literal('scored'),
      integrity: Type.Number({ minimum: 0, maximum: 1 }),
      risk: RiskLabel,
      reasons: Type.Array(ScoreReason, { minItems: 1 }),
      summary: Type.String(),
    }),
    Type.Object({
      verdict: Type.Literal('not-enough-data'),
      integrity: Type.Null(),
      risk: Type.Null(),
      reasons: Type.Array(ScoreReason),
      summary: Type.String(),
    }),
  ],
  { description: "The integrity score and risk label, or verdict 'not-enough-data' with neither" },
);
export type Score = Static<typeof Score>;

const threshold = (description: string) => Type.Number({ minimum: 0, description });

/** Every threshold a detector compares with; all have defaults and can be set per exam. */
export const Thresholds = Type.Object(
  {
    pauseMs: threshold("A pause: an interval between text changes at or over this (2 s, Inputlog's usual)"),
    pauseReportMs: Type.Array(Type.Number({ exclusiveMinimum: 0 }), { maxItems: 20, description: 'Further pause thresholds counted in the metrics' }),
    speedWindowMs: threshold('Window of the typing-speed series'),
    externalPasteLowChars: threshold('External paste of at least this many characters: low flag'),
    externalPasteChars: threshold('External paste of at least this many characters: medium flag'),
    externalPasteHighChars: threshold('… and at least this many: high flag'),
    externalPasteSentences: threshold(
      'An external paste (of at least the low size) holding this many complete sentences or more: medium flag, as a passage is',
    ),
    pasteShareOfFinal: threshold('Externally pasted share of the final text over this: high flag'),
    pasteShareOfAdded: threshold('Externally pasted share of all text added over this: medium flag'),
    transcriptionMinChars: threshold('Transcription needs at least this many typed characters'),
    transcriptionMinSentences: threshold('… and at least this many sentence starts'),
    transcriptionMaxGradient: threshold('Sentence gradient under this looks like copying'),
    transcriptionMaxSentencePauseShare: threshold('Share of sentence starts with a pause under this looks like copying'),
    transcriptionMaxRevisionRatio: threshold('Revision ratio under this, with no edit inside earlier text, makes it high rather than medium'),
    transcriptionMaxPausesPer100Chars: threshold('Pauses (any location) per 100 typed characters under this is a steady pace, as copying is'),
    minJudgedChars: threshold('Fewer characters written than this: not enough data, no score'),
    machineMinKeys: threshold('Machine-regular input needs at least this many production keys'),
    machineMaxHoldCv: threshold('Hold-time coefficient of variation under this is constant (people: 0.2–0.4)'),
    machineMaxIntervalDispersion: threshold('Inter-key interquartile range ÷ median under this is too regular'),
    machineMaxOverlap: threshold('Key overlap under this where people overlap a quarter to half of their keys (at the reference speed)'),
    machineOverlapReferenceMs: threshold(
      'Median inter-key interval up to which machineMaxOverlap applies as is; slower typists overlap less, so beyond it the threshold falls linearly …',
    ),
    machineOverlapOffMs: threshold('… to zero at this median interval: slower typists (300 ms and more) are not checked for key overlap at all'),
    machineMinMedianIntervalMs: threshold('Median inter-key interval under this is too fast to sustain (ms)'),
    untrustedEvents: threshold('Untrusted (script-made) events at or over this: high flag; fewer: low'),
    keylessChars: threshold('Typed characters with no key press behind them, at or over this: flag'),
    returnAwayMs: threshold('A departure at least this long counts for the burst-after-return detector'),
    returnWindowMs: threshold('Window after returning in which inserted text is counted'),
    returnBurstChars: threshold('Characters inserted within the window after a return at or over this: flag'),
    prolongedAbsenceMs: threshold('Time away at or over this: low flag'),
    prolongedAbsenceHighMs: threshold('… at or over this: medium'),
    violationMinConfidence: threshold('Violation events under this confidence are ignored'),
    sensorGapMs: threshold('Sensor: an interval between samples over this is a gap'),
    hostSeriesMax: threshold('At most this many points per host signal series'),
  },
  { additionalProperties: false },
);
export type Thresholds = Static<typeof Thresholds>;

/** An exam's analysis settings: thresholds it overrides, and whether host-page signals are accepted. */
export const AnalysisSettings = Type.Object(
  {
    thresholds: Type.Optional(Type.Partial(Thresholds, { additionalProperties: false })),
    acceptHostSignals: Type.Optional(Type.Boolean({ description: 'false: metrics events from the host page are dropped before analysis (default true)' })),
    assistiveTechnology: Type.Optional(
      Type.Boolean({
        description:
          'An accommodation: the writer uses assistive technology, so text inserted without key presses is an input method, not a sign (default false)',
      }),
    ),
  },
  { additionalProperties: false, description: "The exam's analysis settings" },
);
export type AnalysisSettings = Static<typeof AnalysisSettings>;

/** A detector the analysis could not run (or ran only in part) because its signals were not captured. */
export const NotChecked = Type.Object(
  {
    detector: DetectorName,
    missing: Type.Array(Type.Union(CAPTURE_SIGNALS.map((c) => Type.Literal(c)))),
    partly: Type.Boolean({ description: 'true: the detector ran without the missing signals (e.g. no hold-time signs); false: it did not run' }),
  },
  { additionalProperties: false },
);
export type NotChecked = Static<typeof NotChecked>;

export const AnalysisResult = Type.Object(
  {
    format: Type.Literal(ANALYSIS_FORMAT),
    metrics: Metrics,
    flags: Type.Array(Flag),
    notes: Type.Array(Note),
    score: Score,
    hostSignals: Type.Union([Type.Array(HostSignal), Type.Null()], {
      description: 'Signals from the host page as it labels them; never part of the score; null when refused or absent',
    }),
    thresholds: Thresholds,
    capabilities: Capabilities,
    notChecked: Type.Array(NotChecked, {
      description: 'What the analysis could not check (or checked only in part) because the source did not capture a signal',
    }),
  },
  { additionalProperties: false, description: 'The whole analysis of a session' },
);
export type AnalysisResult = Static<typeof AnalysisResult>;
