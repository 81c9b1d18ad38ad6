import { AppError } from '../../kernel/errors';

/**
 * The attempt state machine: one table of the moves an attempt can make, from which states, to which
 * state, and who may make each. The service applies a move only to a row it holds locked
 * (`SELECT … FOR UPDATE`), so two moves on one attempt never interleave.
 */
export const ATTEMPT_STATES = ['not_started', 'in_progress', 'submitted', 'abandoned', 'timed_out', 'graded'] as const;
export type AttemptState = (typeof ATTEMPT_STATES)[number];

export const ATTEMPT_MOVES = ['start', 'submit', 'abandon', 'time-out', 'grade'] as const;
export type AttemptMove = (typeof ATTEMPT_MOVES)[number];

/**
 * Who makes a move: the attempt's own student; the system (the scheduled time-out job); a grader
 * (a teacher who owns or co-teaches the exam, or a partner's API key with `attempts:grade`).
 */
export const MOVERS = ['student', 'system', 'grader'] as const;
export type Mover = (typeof MOVERS)[number];

export interface Transition {
  move: AttemptMove;
  from: readonly AttemptState[];
  to: AttemptState;
  by: Mover;
}

/** The one table. A graded attempt may be graded again (a corrected score). */
export const TRANSITIONS: readonly Transition[] = Object.freeze([
  { move: 'start', from: ['not_started'], to: 'in_progress', by: 'student' },
  { move: 'submit', from: ['in_progress'], to: 'submitted', by: 'student' },
  { move: 'abandon', from: ['in_progress'], to: 'abandoned', by: 'student' },
  { move: 'time-out', from: ['in_progress'], to: 'timed_out', by: 'system' },
  { move: 'grade', from: ['submitted', 'abandoned', 'timed_out', 'graded'], to: 'graded', by: 'grader' },
]);

/** States after which the attempt's session takes no more events. */
export const CLOSED_STATES: ReadonlySet<AttemptState> = new Set(['submitted', 'abandoned', 'timed_out', 'graded']);

/**
 * The state `move` by `by` leads to from `from`, or the refusal: `forbidden` when this mover never
 * makes this move, `attempt-transition` (409) when the move is not possible from this state.
 */
export function transition(from: AttemptState, move: AttemptMove, by: Mover): AttemptState {
  const t = TRANSITIONS.find((x) => x.move === move);
  if (!t) throw new AppError('attempt-transition', `no move ${move}`);
  if (t.by !== by) throw new AppError('forbidden', `a ${by} may not ${move} an attempt`);
  if (!t.from.includes(from)) {
    throw new AppError('attempt-transition', `an attempt that is ${from} cannot ${move} (only from ${t.from.join(', ')})`, { state: from, move });
  }
  return t.to;
}
