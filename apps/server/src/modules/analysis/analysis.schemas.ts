import { Type } from '@sinclair/typebox';

/** Response shapes of the analysis routes. The analysis body is @veritas/analysis's AnalysisResult (see its README). */
const Severity = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);

export const Evidence = Type.Object(
  {
    seqFrom: Type.Integer(),
    seqTo: Type.Integer(),
    tFrom: Type.Number(),
    tTo: Type.Number(),
    excerpt: Type.String({ description: 'A short excerpt of the text concerned; empty when there is none' }),
  },
  { description: 'Where in the stream the flag comes from' },
);

export const Flag = Type.Object(
  {
    detector: Type.String({ description: 'external-paste, paste-share, transcription, machine-regular, untrusted-input, keyless-text, burst-after-return, prolonged-absence, several-faces, no-face' }),
    severity: Severity,
    evidence: Evidence,
    message: Type.String({ description: 'One sentence a teacher understands' }),
    values: Type.Record(Type.String(), Type.Number(), { description: 'The measured values beside the thresholds they were compared with' }),
  },
  { description: 'Evidence for a person to weigh, never a verdict' },
);

export const AnalysisResult = Type.Object(
  {
    format: Type.String({ description: 'veritas.analysis/v1' }),
    metrics: Type.Unknown({ description: 'Writing-process metrics (pauses, bursts, inter-key intervals, revisions, pastes, time away …), proctoring and sensor metrics; definitions in the @veritas/analysis README' }),
    flags: Type.Array(Flag),
    notes: Type.Array(Type.Object({ topic: Type.String(), message: Type.String() }), { description: 'What is not a flag: input methods, host signals, too little data' }),
    score: Type.Object(
      {
        integrity: Type.Number({ minimum: 0, maximum: 1 }),
        risk: Severity,
        reasons: Type.Array(Type.Unknown(), { description: 'The detectors behind the score, or why there are none; never empty' }),
        summary: Type.String(),
      },
      { additionalProperties: true },
    ),
    hostSignals: Type.Unknown({ description: "Signals from the host page as it labels them; never part of the score; null when refused or absent" }),
    thresholds: Type.Unknown({ description: 'The thresholds the detectors compared with' }),
  },
  { additionalProperties: true, description: 'The whole analysis of the session (AnalysisResult of @veritas/analysis)' },
);

export const AnalysisDone = Type.Object({
  status: Type.Literal('done'),
  analyzedAt: Type.String({ format: 'date-time' }),
  version: Type.String({ description: 'The analysis format that produced it' }),
  analysis: AnalysisResult,
});

export const AnalysisFailed = Type.Object(
  {
    status: Type.Literal('failed'),
    error: Type.String({ description: 'The error of the last run' }),
    attempts: Type.Integer(),
  },
  { description: 'The analysis job failed on every attempt and is parked for an operator' },
);

export const AnalysisInProgress = Type.Object({
  status: Type.Union([Type.Literal('pending'), Type.Literal('running')]),
  attempts: Type.Integer({ description: 'Runs started so far' }),
  lastError: Type.Optional(Type.String({ description: 'Why the last run failed, when a retry is waiting' })),
  detail: Type.Optional(Type.String()),
});

export const Alert = Type.Object({
  id: Type.String(),
  detector: Type.String(),
  severity: Severity,
  message: Type.String(),
  evidence: Evidence,
  values: Type.Record(Type.String(), Type.Number()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const AlertsPage = Type.Object({ items: Type.Array(Alert) });

/** A session's analysis in one line, for lists: the risk, integrity and flag count once done. */
export const AnalysisSummary = Type.Object(
  {
    state: Type.Union([Type.Literal('done'), Type.Literal('pending'), Type.Literal('running'), Type.Literal('failed')], {
      description: 'done: the figures below are set; pending: queued, or the session has not ended; running; failed: see GET /v1/sessions/{id}/analysis',
    }),
    risk: Type.Optional(Severity),
    integrity: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    flags: Type.Optional(Type.Integer({ minimum: 0, description: 'How many flags the analysis raised' })),
  },
  { description: "The session's analysis summary (the whole analysis: GET /v1/sessions/{id}/analysis)" },
);
