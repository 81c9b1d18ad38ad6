/** The analysis result: plain JSON (numbers, strings, booleans, arrays, objects), stored as is by the server. */

export const ANALYSIS_FORMAT = 'veritas.analysis/v1' as const;

export type Severity = 'low' | 'medium' | 'high';
export type RiskLabel = 'low' | 'medium' | 'high';
export type PauseLocation = 'withinWord' | 'beforeWord' | 'beforeSentence' | 'beforeParagraph' | 'beforeRevision';
export const PAUSE_LOCATIONS: readonly PauseLocation[] = ['withinWord', 'beforeWord', 'beforeSentence', 'beforeParagraph', 'beforeRevision'];

export type DetectorName =
  | 'external-paste'
  | 'paste-share'
  | 'transcription'
  | 'machine-regular'
  | 'untrusted-input'
  | 'keyless-text'
  | 'burst-after-return'
  | 'prolonged-absence'
  | 'several-faces'
  | 'no-face';

/** The part of the session a flag points at, so a person can go and look. */
export interface Evidence {
  seqFrom: number;
  seqTo: number;
  tFrom: number;
  tTo: number;
  /** A short excerpt of the text concerned ('' when there is no text). */
  excerpt: string;
}

/** Evidence for a person to weigh, never a verdict. */
export interface Flag {
  detector: DetectorName;
  severity: Severity;
  evidence: Evidence;
  /** One sentence a teacher understands. */
  message: string;
  /** The measured values behind the flag, beside the thresholds they were compared with. */
  values: Record<string, number>;
}

/** Information that is not a flag: input methods, host signals, too little data. */
export interface Note {
  topic: 'input-method' | 'host-signals' | 'little-data' | 'assistive-technology';
  message: string;
}

export interface Distribution {
  count: number;
  meanMs: number;
  medianMs: number;
  q1Ms: number;
  q3Ms: number;
  iqrMs: number;
  /** Coefficient of variation: standard deviation ÷ mean. */
  cv: number;
  /** Interquartile range ÷ median: spread that one long pause cannot inflate. */
  iqrOverMedian: number;
}

export interface PauseLocationStats {
  /** Intervals that ended at this location (any length). */
  intervals: number;
  /** Of those, pauses at or over the pause threshold. */
  pauses: number;
  medianMs: number;
  meanMs: number;
}

export interface Departure {
  seqFrom: number;
  seqTo: number;
  tFrom: number;
  tTo: number;
  durationMs: number;
  /** Characters that entered the text within the return window after coming back. */
  charsAfterReturn: number;
  excerptAfterReturn: string;
}

export interface SpeedWindow {
  tFrom: number;
  /** Characters typed (cause 'type') in the window. */
  chars: number;
  keys: number;
}

export interface WritingMetrics {
  /** ms from the first to the last event. */
  totalMs: number;
  /** Sum of intervals between text changes shorter than the pause threshold. */
  activeMs: number;
  pauses: {
    thresholdMs: number;
    /** Count of intervals at or over each threshold in `thresholdsMs`. */
    thresholdsMs: number[];
    countsOver: number[];
    totalPauseMs: number;
    byLocation: Record<PauseLocation, PauseLocationStats>;
    /** Median interval before a sentence ÷ median interval within a word (composing: high; copying: near 1). */
    sentenceGradient: number;
    /** Share of sentence starts preceded by a pause at or over the threshold. */
    sentencePauseShare: number;
    /** Intervals that contained time away from the page (not classified). */
    intervalsWithAway: number;
  };
  bursts: {
    p: { count: number; meanChars: number };
    r: { count: number; meanChars: number };
  };
  keys: {
    count: number;
    /** Press-to-press intervals of production keys (not modifiers or navigation), pauses excluded. */
    interKey: Distribution;
    hold: Distribution;
    /** Share of production keys pressed before the previous one was released. */
    overlapRatio: number;
    untrusted: number;
  };
  speed: { windowMs: number; windows: SpeedWindow[]; meanCharsPerMin: number; cv: number };
  revisions: {
    insertedChars: number;
    deletedChars: number;
    deletions: number;
    /** Deleted ÷ inserted characters. */
    revisionRatio: number;
    finalLength: number;
    /** Final length ÷ all characters inserted. */
    productProcessRatio: number;
  };
  paste: {
    count: number;
    chars: number;
    internal: { count: number; chars: number };
    external: { count: number; chars: number; largest: number };
    /** Externally pasted characters still in the final text ÷ final length. */
    shareOfFinal: number;
    /** Externally pasted characters ÷ all characters inserted. */
    shareOfAdded: number;
  };
  keyless: {
    /** Largest single insertion with no keystroke behind it (paste, drop, programmatic, or typed text without keys); input methods excluded. */
    largestInsertion: { chars: number; seq: number; t: number; cause: string } | null;
    /** Characters entered as typing with no key press to match them. */
    typedWithoutKeys: number;
    programmaticChars: number;
    untrustedChars: number;
  };
  inputMethod: { ops: number; chars: number; byCause: Record<'ime' | 'dictation' | 'autocorrect', number> };
  away: { departures: number; totalMs: number; longestMs: number; list: Departure[] };
  /** Snapshots seen, and how many disagreed with the text the ops built (the text was then reset to them). */
  snapshots: { count: number; mismatches: number };
  /** Characters typed (cause 'type') and text keys (char, space, enter) pressed. */
  typedChars: number;
  textKeys: number;
}

export interface ProctoringMetrics {
  metricsEvents: number;
  /** ms with faceDetected false or faces 0 (as reported by the host). */
  noFaceMs: number;
  /** metrics events reporting more than one face. */
  severalFacesEvents: number;
  violations: Record<string, number>;
}

export interface SensorKindMetrics {
  kind: string;
  events: number;
  samples: number;
  /** Samples per second over the span from the first to the last sample. */
  rateHz: number;
  gaps: number;
  longestGapMs: number;
  gapMs: number;
}

export interface HostSignal {
  key: string;
  /** As the host labelled it, with the source it named. */
  source: string;
  count: number;
  min: number;
  max: number;
  mean: number;
  last: number;
  /** [t, value] samples, thinned to at most `hostSeriesMax` points. */
  series: [number, number][];
}

export interface Metrics {
  events: number;
  firstSeq: number;
  lastSeq: number;
  durationMs: number;
  byType: Record<string, number>;
  writing: WritingMetrics | null;
  proctoring: ProctoringMetrics | null;
  sensor: SensorKindMetrics[] | null;
}

export interface ScoreReason {
  /** 'none' when no detector raised a flag: the reason is then that nothing was found. */
  detector: DetectorName | 'none';
  severity: Severity;
  flags: number;
  /** How much this detector took off the score (1 - factor). */
  weight: number;
  message: string;
}

export interface Score {
  /** 1: nothing departs from ordinary unaided work; lower: more evidence to look at. */
  integrity: number;
  risk: RiskLabel;
  /** Why: the flags behind the score, or why there are none. Never empty. */
  reasons: ScoreReason[];
  summary: string;
}

export interface AnalysisResult {
  format: typeof ANALYSIS_FORMAT;
  metrics: Metrics;
  flags: Flag[];
  notes: Note[];
  score: Score;
  /** Signals from the host page, shown as labelled; never part of the score. null when refused or absent. */
  hostSignals: HostSignal[] | null;
  thresholds: Thresholds;
}

/** Every threshold a detector compares with; all have defaults and can be set per exam. */
export interface Thresholds {
  /** A pause: an interval between text changes at or over this (2 s, Inputlog's usual). */
  pauseMs: number;
  /** Further pause thresholds counted in the metrics. */
  pauseReportMs: number[];
  /** Window of the typing-speed series. */
  speedWindowMs: number;
  /** External paste of at least this many characters: low flag. */
  externalPasteLowChars: number;
  /** External paste of at least this many characters: medium flag. */
  externalPasteChars: number;
  /** … and at least this many: high flag. */
  externalPasteHighChars: number;
  /** Externally pasted share of the final text over this: high flag (published practice: 50%). */
  pasteShareOfFinal: number;
  /** Externally pasted share of all text added over this: medium flag (published practice: 40%). */
  pasteShareOfAdded: number;
  /** Transcription needs at least this many typed characters and sentence starts. */
  transcriptionMinChars: number;
  transcriptionMinSentences: number;
  /** Sentence gradient under this looks like copying. */
  transcriptionMaxGradient: number;
  /** Share of sentence starts with a pause under this looks like copying. */
  transcriptionMaxSentencePauseShare: number;
  /** Revision ratio under this makes it high rather than medium. */
  transcriptionMaxRevisionRatio: number;
  /** Machine-regular input needs at least this many production keys. */
  machineMinKeys: number;
  /** Hold-time coefficient of variation under this is constant (people: 0.2–0.4). */
  machineMaxHoldCv: number;
  /** Inter-key interquartile range ÷ median under this is too regular (people: 0.35 and up). */
  machineMaxIntervalDispersion: number;
  /** Key overlap under this where people overlap a quarter to half of their keys. */
  machineMaxOverlap: number;
  /** Median inter-key interval under this is too fast to sustain (ms). */
  machineMinMedianIntervalMs: number;
  /** Untrusted (script-made) events at or over this: high flag; fewer: low. */
  untrustedEvents: number;
  /** Typed characters with no key press behind them, at or over this: flag. */
  keylessChars: number;
  /** A departure at least this long counts for the burst-after-return detector. */
  returnAwayMs: number;
  /** Window after returning in which inserted text is counted. */
  returnWindowMs: number;
  /** Characters inserted within the window after a return at or over this: flag. */
  returnBurstChars: number;
  /** Time away at or over this: low flag; at or over `prolongedAbsenceHighMs`: medium. */
  prolongedAbsenceMs: number;
  prolongedAbsenceHighMs: number;
  /** Violation events under this confidence are ignored. */
  violationMinConfidence: number;
  /** Sensor: an interval between samples over this is a gap. */
  sensorGapMs: number;
  /** At most this many points per host signal series. */
  hostSeriesMax: number;
}

export interface AnalysisOptions {
  thresholds?: Partial<Thresholds>;
  /** false: metrics events from the host page are dropped before analysis (default true). */
  acceptHostSignals?: boolean;
  /**
   * The writer uses assistive technology (an accommodation): text without key presses and
   * machine-like regularity are reported as an input method, not flagged.
   */
  assistiveTechnology?: boolean;
  /** The text the editor started with (bundle meta.initialText). */
  initialText?: string;
}
