import { Type, type Static } from '@sinclair/typebox';
import { ANALYSIS_FORMAT, isFlag, DetectorName, Evidence, Note, Severity, type AnalysisResult, type Flag } from '@veritas/schema';

/**
 * The process report for the person a session is about: the same flags and evidence their teacher
 * sees in the analysis, each with one plain sentence saying what it means. Nothing is added that the
 * analysis does not hold, and there are no reviewers' notes in it.
 */

/** What each detector's flag means, in one plain sentence for the writer (the flag's own message gives the numbers). */
export const FLAG_EXPLANATIONS: Readonly<Record<DetectorName, string>> = {
  'external-paste': 'Text was pasted into your work from somewhere outside this session.',
  'paste-share': 'A large part of your text came from pastes from outside this session rather than from typing.',
  transcription: 'You typed at an even pace with few of the pauses people take while composing sentences, which is how copying out a text looks.',
  'machine-regular': 'The timing of your key presses was more regular than people usually type, which is how a program typing looks.',
  'untrusted-input': 'Some input was made by a script in the page rather than by a keyboard.',
  'keyless-text': 'Text appeared in your work without the key presses typing it would take.',
  'burst-after-return': 'Soon after you came back to the page, a lot of text was added at once.',
  'prolonged-absence': 'You left the page for a long time during the session.',
  'several-faces': 'The camera check saw more than one face.',
  'no-face': 'The camera check saw no face for a while.',
};

/** What the report says about flags before listing them: they are evidence, not a verdict. */
export const REPORT_PREAMBLE =
  'These are the flags the analysis raised about how this text was written, with where they come from in the session: the same evidence your teacher sees. ' +
  'A flag is something for a person to look at and weigh, never a verdict; dictation, an IME and assistive technology count as ways of writing, not as pasting.';

export const ReportFlag = Type.Object({
  detector: DetectorName,
  severity: Severity,
  explanation: Type.String({ description: 'What the flag means, in one plain sentence' }),
  measured: Type.String({ description: "The analysis's own sentence: what was measured, with the numbers" }),
  evidence: Evidence,
});

export const ProcessReport = Type.Object({
  status: Type.Literal('done'),
  analyzedAt: Type.String({ format: 'date-time' }),
  version: Type.String({ description: 'The analysis format the report is built from' }),
  about: Type.String(),
  summary: Type.String({ description: "The analysis's summary: the score and what it rests on, or why there is none" }),
  risk: Type.Union([Severity, Type.Null()], { description: 'The risk label the teacher sees; null when there was not enough data to judge' }),
  flags: Type.Array(ReportFlag),
  notes: Type.Array(Note, { description: 'What the analysis says is not a flag: input methods, too little data, signals not captured' }),
});
export type ProcessReport = Static<typeof ProcessReport>;

export function processReport(result: unknown, analyzedAt: string, version: string): ProcessReport {
  const r = result as Partial<AnalysisResult>;
  const current = r.format === ANALYSIS_FORMAT;
  // A result of an earlier format is read for its flags only: those still have today's shape.
  const flags = (Array.isArray(r.flags) ? r.flags : []).filter((f): f is Flag => isFlag(f));
  return {
    status: 'done',
    analyzedAt,
    version,
    about: REPORT_PREAMBLE,
    summary: current && r.score ? r.score.summary : `The analysis raised ${flags.length} flag${flags.length === 1 ? '' : 's'}.`,
    risk: current && r.score ? r.score.risk : null,
    flags: flags.map((f) => ({
      detector: f.detector,
      severity: f.severity,
      explanation: FLAG_EXPLANATIONS[f.detector],
      measured: f.message,
      evidence: f.evidence,
    })),
    notes: current && Array.isArray(r.notes) ? r.notes : [],
  };
}
