import type { ProblemCode } from '../../kernel/errors';

/**
 * The review state machine of a flag, pure: what a reviewer's decision does to a flag's state. Nothing
 * else changes a state: no analysis, alert or timer ever does (a flag is evidence, never a verdict).
 * The table is in docs/architecture.md ("Review").
 */
export const REVIEW_STATES = ['open', 'awaiting_second_review', 'confirmed', 'dismissed', 'escalated'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

export const DECISIONS = ['confirm', 'dismiss', 'escalate', 'reopen'] as const;
export type Decision = (typeof DECISIONS)[number];

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank = (s: string): number => Math.max(1, SEVERITIES.indexOf(s as Severity) + 1);
export const severityOfRank = (rank: number): Severity => SEVERITIES[Math.min(3, Math.max(1, rank)) - 1]!;

/** What the machine reads of a flag. */
export interface FlagState {
  state: ReviewState;
  severity: string;
  /** A high flag: who confirmed it first, while a second confirmation is awaited. */
  firstConfirmedBy: string | null;
}

export interface DecisionInput {
  decision: Decision;
  reviewerId: string;
  reviewerRole: 'admin' | 'teacher';
  note?: string | undefined;
}

export type Transition = { ok: true; to: ReviewState; firstConfirmedBy: string | null } | { ok: false; code: ProblemCode; detail: string };

/** Decisions that always need a note; any decision on a flag past `open` does too (it overrules or settles someone's decision). */
const NEEDS_NOTE: ReadonlySet<Decision> = new Set(['confirm', 'escalate', 'reopen']);

const refuse = (code: ProblemCode, detail: string): Transition => ({ ok: false, code, detail });

/** Which decisions each state takes. */
export const ALLOWED: Readonly<Record<ReviewState, readonly Decision[]>> = {
  open: ['confirm', 'dismiss', 'escalate'],
  awaiting_second_review: ['confirm', 'dismiss', 'escalate'],
  escalated: ['confirm', 'dismiss'],
  confirmed: ['reopen'],
  dismissed: ['reopen'],
};

export function transition(flag: FlagState, d: DecisionInput): Transition {
  if (!ALLOWED[flag.state].includes(d.decision)) return refuse('invalid-transition', `a flag that is ${flag.state} cannot be given "${d.decision}"`);
  const noted = d.note !== undefined && d.note.trim().length > 0;
  if (!noted && (NEEDS_NOTE.has(d.decision) || flag.state !== 'open')) return refuse('note-required', `"${d.decision}" here needs a note`);
  // An escalated flag went to the institution's admins; reopening a settled one is theirs too.
  if ((flag.state === 'escalated' || d.decision === 'reopen') && d.reviewerRole !== 'admin')
    return refuse('forbidden', flag.state === 'escalated' ? 'an escalated flag is decided by an admin' : 'a settled flag is reopened by an admin');
  // The first confirmer of a high flag waits for someone else: they cannot settle it themselves either way.
  if (flag.state === 'awaiting_second_review' && flag.firstConfirmedBy === d.reviewerId)
    return refuse('second-reviewer-required', 'you confirmed this flag first; a different reviewer decides it now');
  switch (d.decision) {
    case 'confirm':
      if (flag.severity !== 'high') return { ok: true, to: 'confirmed', firstConfirmedBy: flag.firstConfirmedBy };
      if (flag.firstConfirmedBy === null) return { ok: true, to: 'awaiting_second_review', firstConfirmedBy: d.reviewerId };
      if (flag.firstConfirmedBy === d.reviewerId) return refuse('second-reviewer-required', 'you confirmed this flag first; a different reviewer confirms it');
      return { ok: true, to: 'confirmed', firstConfirmedBy: flag.firstConfirmedBy };
    case 'dismiss':
      return { ok: true, to: 'dismissed', firstConfirmedBy: null };
    case 'escalate':
      return { ok: true, to: 'escalated', firstConfirmedBy: flag.firstConfirmedBy };
    case 'reopen':
      return { ok: true, to: 'open', firstConfirmedBy: null };
  }
}
