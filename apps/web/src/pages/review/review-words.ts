import type { Role } from '../../api/pending-paths';
import { ApiProblem } from '../../api/problem';
import type { paths } from '../../api/schema';
import { messageOf } from '../../components/load-state';

/** Shared by the review pages: the types of the review routes, and how their states and problems are said in words. */
export type FlagSummary = paths['/v1/review/flags']['get']['responses'][200]['content']['application/json']['items'][number];
export type FlagView = paths['/v1/sessions/{id}/flags']['get']['responses'][200]['content']['application/json']['items'][number];
export type OwnFlag = paths['/v1/me/flags']['get']['responses'][200]['content']['application/json']['items'][number];
export type ReviewState = FlagSummary['state'];
export type Severity = FlagSummary['severity'];
export type Decision = FlagView['decisions'][number]['decision'];
export type AnswerKind = FlagView['answers'][number]['kind'];

export const STATE_LABEL: Record<ReviewState, string> = {
  open: 'open',
  awaiting_second_review: 'awaiting a second reviewer',
  confirmed: 'confirmed',
  dismissed: 'dismissed',
  escalated: 'escalated',
};

/** What a state means, in a sentence (for the session page and the student). */
export const STATE_EXPLAINED: Record<ReviewState, string> = {
  open: 'No one has decided on it yet.',
  awaiting_second_review: 'One reviewer confirmed this high flag; it counts as confirmed only once a second, different reviewer decides.',
  confirmed: 'A reviewer confirmed it.',
  dismissed: 'A reviewer dismissed it: it is not held against anyone.',
  escalated: 'It was passed to the institution’s administrators to decide.',
};

export const SEVERITY_LABEL: Record<Severity, string> = { low: 'low', medium: 'medium', high: 'high' };

export const DECISION_LABEL: Record<Decision, string> = { confirm: 'Confirm', dismiss: 'Dismiss', escalate: 'Escalate', reopen: 'Reopen' };
export const DECISION_DONE: Record<Decision, string> = { confirm: 'confirmed', dismiss: 'dismissed', escalate: 'escalated', reopen: 'reopened' };
export const DECISION_HINT: Record<Decision, string> = {
  confirm: 'The flag stands (a high flag needs a second reviewer).',
  dismiss: 'The flag is not held against the student.',
  escalate: 'The institution’s administrators decide.',
  reopen: 'The flag is open again for a new decision.',
};

export const ANSWER_LABEL: Record<AnswerKind, string> = { explanation: 'Explanation', appeal: 'Appeal' };

/** The server's limits on a note and an answer (review.schemas.ts) and on answers per flag. */
export const NOTE_MAX = 2000;
export const ANSWER_MAX = 2000;
export const ANSWERS_PER_FLAG = 10;

/** Which decisions each state takes (the server's table, review-states.ts). */
const ALLOWED: Record<ReviewState, readonly Decision[]> = {
  open: ['confirm', 'dismiss', 'escalate'],
  awaiting_second_review: ['confirm', 'dismiss', 'escalate'],
  escalated: ['confirm', 'dismiss'],
  confirmed: ['reopen'],
  dismissed: ['reopen'],
};

/**
 * The decisions a person may offer on a flag: reviewers only (teachers and admins); an escalated flag
 * and a reopen are the admins'; the first confirmer of a high flag waits for someone else. The server
 * decides anyway; this spares people buttons that can only be refused.
 */
export function decisionsFor(flag: Pick<FlagSummary, 'state' | 'firstConfirmedBy'>, me: { id: string; role: Role }): Decision[] {
  if (me.role !== 'teacher' && me.role !== 'admin') return [];
  if (flag.state === 'awaiting_second_review' && flag.firstConfirmedBy === me.id) return [];
  if (me.role === 'teacher' && (flag.state === 'escalated' || flag.state === 'confirmed' || flag.state === 'dismissed')) return [];
  return [...ALLOWED[flag.state]];
}

/** Whether a decision needs a note: confirm, escalate and reopen always, any decision on a flag past open. */
export const needsNote = (state: ReviewState, decision: Decision): boolean => decision !== 'dismiss' || state !== 'open';

export const occurrencesWord = (n: number) => `${n} ${n === 1 ? 'occurrence' : 'occurrences'}`;

/** A time into the session (ms) as m:ss. */
export function sessionTime(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A detector's name in words: "paste-share" → "paste share". */
export const detectorName = (kind: string) => kind.replace(/[-_]+/g, ' ');

/** The problems of a decision or an answer in plain words; others as the server says them. */
export function problemWords(err: unknown): string {
  if (err instanceof ApiProblem) {
    switch (err.code) {
      case 'second-reviewer-required':
        return 'You confirmed this flag first; a different reviewer has to decide it now.';
      case 'note-required':
        return 'This decision needs a note.';
      case 'invalid-transition':
        return 'The flag’s state has changed and no longer allows this decision: the page now shows its current state.';
      case 'answer-limit':
        return `This flag already has ${ANSWERS_PER_FLAG} answers, as many as it takes.`;
      case 'forbidden':
        return `You may not do this: ${err.detail ?? err.title}.`;
      case 'not-found':
        return 'This flag no longer exists, or you may not see it.';
    }
  }
  return `${messageOf(err)}.`;
}

/** The evidence's excerpt, when the detector gave one. */
export function excerptOf(evidence: unknown): string | undefined {
  const e = evidence as { excerpt?: unknown } | null;
  return e && typeof e.excerpt === 'string' && e.excerpt.length > 0 ? e.excerpt : undefined;
}

/** The measured values (numbers, words, yes/no) as pairs to list; nested values are left out. */
export function valuesOf(values: unknown): [string, string][] {
  if (!values || typeof values !== 'object' || Array.isArray(values)) return [];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
    if (typeof v === 'number') out.push([k, Number.isInteger(v) ? String(v) : v.toFixed(2)]);
    else if (typeof v === 'string' || typeof v === 'boolean') out.push([k, String(v)]);
  }
  return out;
}
