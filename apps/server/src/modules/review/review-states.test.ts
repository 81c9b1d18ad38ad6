import { describe, expect, it } from 'vitest';
import { ALLOWED, DECISIONS, REVIEW_STATES, transition, type FlagState } from './review-states';

const A = 'u-a';
const B = 'u-b';
const note = 'seen the replay';
const flag = (over: Partial<FlagState> = {}): FlagState => ({ state: 'open', severity: 'medium', firstConfirmedBy: null, ...over });

describe('the review state machine', () => {
  it('settles a low or medium flag with one reviewer', () => {
    expect(transition(flag(), { decision: 'confirm', reviewerId: A, reviewerRole: 'teacher', note })).toEqual({
      ok: true,
      to: 'confirmed',
      firstConfirmedBy: null,
    });
    expect(transition(flag({ severity: 'low' }), { decision: 'dismiss', reviewerId: A, reviewerRole: 'teacher' })).toMatchObject({ ok: true, to: 'dismissed' });
    expect(transition(flag(), { decision: 'escalate', reviewerId: A, reviewerRole: 'teacher', note })).toMatchObject({ ok: true, to: 'escalated' });
  });

  it('needs a note to confirm, escalate or reopen, and for any decision past open', () => {
    for (const decision of ['confirm', 'escalate'] as const) {
      expect(transition(flag(), { decision, reviewerId: A, reviewerRole: 'teacher' })).toMatchObject({ ok: false, code: 'note-required' });
      expect(transition(flag(), { decision, reviewerId: A, reviewerRole: 'teacher', note: '   ' })).toMatchObject({ ok: false, code: 'note-required' });
    }
    expect(transition(flag({ state: 'dismissed' }), { decision: 'reopen', reviewerId: A, reviewerRole: 'admin' })).toMatchObject({
      ok: false,
      code: 'note-required',
    });
    expect(
      transition(flag({ state: 'awaiting_second_review', severity: 'high', firstConfirmedBy: A }), {
        decision: 'dismiss',
        reviewerId: B,
        reviewerRole: 'teacher',
      }),
    ).toMatchObject({
      ok: false,
      code: 'note-required',
    });
    expect(transition(flag({ state: 'escalated' }), { decision: 'dismiss', reviewerId: B, reviewerRole: 'admin' })).toMatchObject({
      ok: false,
      code: 'note-required',
    });
  });

  it('counts a high flag as confirmed only after a second, different reviewer confirms it', () => {
    const first = transition(flag({ severity: 'high' }), { decision: 'confirm', reviewerId: A, reviewerRole: 'teacher', note });
    expect(first).toEqual({ ok: true, to: 'awaiting_second_review', firstConfirmedBy: A });
    const awaiting = flag({ severity: 'high', state: 'awaiting_second_review', firstConfirmedBy: A });
    for (const decision of ['confirm', 'dismiss', 'escalate'] as const)
      expect(transition(awaiting, { decision, reviewerId: A, reviewerRole: 'admin', note })).toMatchObject({ ok: false, code: 'second-reviewer-required' });
    expect(transition(awaiting, { decision: 'confirm', reviewerId: B, reviewerRole: 'teacher', note })).toEqual({
      ok: true,
      to: 'confirmed',
      firstConfirmedBy: A,
    });
    expect(transition(awaiting, { decision: 'dismiss', reviewerId: B, reviewerRole: 'teacher', note })).toEqual({
      ok: true,
      to: 'dismissed',
      firstConfirmedBy: null,
    });
  });

  it('leaves an escalated flag to admins, and a high one still needs two different confirmers', () => {
    const escalated = flag({ state: 'escalated', severity: 'high', firstConfirmedBy: A });
    expect(transition(escalated, { decision: 'confirm', reviewerId: B, reviewerRole: 'teacher', note })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(transition(escalated, { decision: 'confirm', reviewerId: A, reviewerRole: 'admin', note })).toMatchObject({
      ok: false,
      code: 'second-reviewer-required',
    });
    expect(transition(escalated, { decision: 'confirm', reviewerId: B, reviewerRole: 'admin', note })).toMatchObject({ ok: true, to: 'confirmed' });
    expect(transition(flag({ state: 'escalated', severity: 'high' }), { decision: 'confirm', reviewerId: B, reviewerRole: 'admin', note })).toEqual({
      ok: true,
      to: 'awaiting_second_review',
      firstConfirmedBy: B,
    });
  });

  it('reopens a settled flag only by an admin, and refuses every decision the table does not list', () => {
    expect(transition(flag({ state: 'confirmed' }), { decision: 'reopen', reviewerId: A, reviewerRole: 'teacher', note })).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    expect(transition(flag({ state: 'confirmed', firstConfirmedBy: A }), { decision: 'reopen', reviewerId: B, reviewerRole: 'admin', note })).toEqual({
      ok: true,
      to: 'open',
      firstConfirmedBy: null,
    });
    let refused = 0;
    for (const state of REVIEW_STATES)
      for (const decision of DECISIONS) {
        if (ALLOWED[state].includes(decision)) continue;
        expect(transition(flag({ state }), { decision, reviewerId: A, reviewerRole: 'admin', note })).toMatchObject({ ok: false, code: 'invalid-transition' });
        refused++;
      }
    expect(refused).toBe(REVIEW_STATES.length * DECISIONS.length - Object.values(ALLOWED).flat().length);
  });
});
