import { Type } from '@sinclair/typebox';
import { AnalysisResult, Evidence, Flag, Severity, DetectorName } from '@veritas/schema';

/** Response shapes of the analysis routes. The analysis body and its flags are @veritas/schema's, the one definition. */
export { AnalysisResult, Evidence, Flag };

/**
 * A result stored by an earlier analysis format (`veritas.analysis/v1`), served as it was stored
 * until the session is analysed again: its score has no verdict and it declares no capabilities.
 */
export const StoredEarlierAnalysis = Type.Object(
  { format: Type.Literal('veritas.analysis/v1') },
  { additionalProperties: true, description: 'An analysis stored by the v1 format, as it was stored (see @veritas/analysis README of that version)' },
);

export const AnalysisDone = Type.Object({
  status: Type.Literal('done'),
  analyzedAt: Type.String({ format: 'date-time' }),
  version: Type.String({ description: 'The analysis format that produced it' }),
  analysis: Type.Union([AnalysisResult, StoredEarlierAnalysis]),
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
  detector: DetectorName,
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
    state: Type.Union([Type.Literal('done'), Type.Literal('not-enough-data'), Type.Literal('pending'), Type.Literal('running'), Type.Literal('failed')], {
      description:
        'done: the figures below are set; not-enough-data: analysed, too little to judge, so no risk or integrity (flags is set); pending: queued, or the session has not ended; running; failed: see GET /v1/sessions/{id}/analysis',
    }),
    risk: Type.Optional(Severity),
    integrity: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    flags: Type.Optional(Type.Integer({ minimum: 0, description: 'How many flags the analysis raised' })),
  },
  { description: "The session's analysis summary (the whole analysis: GET /v1/sessions/{id}/analysis)" },
);
