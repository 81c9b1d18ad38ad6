import type { AnswerRow, DecisionRow, FlagRow, OccurrenceRow } from './flags.repository';
import type { FlagDetail } from './review.service';
import type { Decision, ReviewState, Severity } from './review-states';

/** Who reads a flag: a reviewer (or observer) sees everything; the student it is about sees the outcome and what is meant for them. */
export type Audience = 'reviewer' | 'student';

export function presentFlagSummary(f: FlagRow, audience: Audience = 'reviewer') {
  return {
    id: f.id,
    sessionId: f.session_id,
    attemptId: f.attempt_id,
    kind: f.kind,
    severity: f.severity as Severity,
    state: f.state,
    message: f.message,
    occurrences: f.occurrences,
    firstT: f.first_t,
    lastT: f.last_t,
    changedSinceDecision: f.changed_since_decision,
    firstSeenAt: f.created_at.toISOString(),
    updatedAt: f.updated_at.toISOString(),
    ...(audience === 'reviewer' ? { firstConfirmedBy: f.first_confirmed_by } : {}),
  };
}

const presentOccurrence = (o: OccurrenceRow) => ({
  seqFrom: o.seq_from,
  seqTo: o.seq_to,
  tFrom: o.t_from,
  tTo: o.t_to,
  severity: o.severity as Severity,
  message: o.message,
  evidence: o.evidence,
  values: o.values,
  source: o.source as 'alert' | 'analysis',
});

function presentDecision(d: DecisionRow, audience: Audience) {
  const shown = {
    id: d.id,
    decision: d.decision as Decision,
    from: d.from_state as ReviewState,
    to: d.to_state as ReviewState,
    at: d.created_at.toISOString(),
    noteToStudent: d.note_to_student,
  };
  if (audience === 'student') return shown;
  return { ...shown, reviewerId: d.reviewer_id, reviewerRole: d.reviewer_role, note: d.note, severity: d.severity as Severity, occurrences: d.occurrences };
}

export const presentAnswer = (a: AnswerRow) => ({
  id: a.id,
  flagId: a.flag_id,
  kind: a.kind,
  text: a.text,
  at: a.created_at.toISOString(),
  authorId: a.author_id,
});

export function presentFlag(d: FlagDetail, audience: Audience = 'reviewer') {
  return {
    ...presentFlagSummary(d.flag, audience),
    occurrenceList: d.occurrences.map(presentOccurrence),
    decisions: d.decisions.map((x) => presentDecision(x, audience)),
    answers: d.answers.map(presentAnswer),
  };
}
