import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../api/problem';
import { decisionsFor, needsNote, problemWords, sessionTime, valuesOf } from './review-words';

const teacher = { id: 'u-teacher', role: 'teacher' as const };
const admin = { id: 'u-admin', role: 'admin' as const };
const problem = (code: string, status: number) => new ApiProblem({ type: `urn:veritas:problem:${code}`, title: code, status });

describe('the decisions offered on a flag (the server’s table, review-states.ts)', () => {
  it('offers a teacher confirm, dismiss and escalate on an open flag, and nothing once it is settled or escalated', () => {
    expect(decisionsFor({ state: 'open', firstConfirmedBy: null }, teacher)).toEqual(['confirm', 'dismiss', 'escalate']);
    for (const state of ['confirmed', 'dismissed', 'escalated'] as const) expect(decisionsFor({ state, firstConfirmedBy: null }, teacher)).toEqual([]);
  });
  it('offers an admin the escalated flag and the reopening of settled ones', () => {
    expect(decisionsFor({ state: 'escalated', firstConfirmedBy: null }, admin)).toEqual(['confirm', 'dismiss']);
    expect(decisionsFor({ state: 'dismissed', firstConfirmedBy: null }, admin)).toEqual(['reopen']);
    expect(decisionsFor({ state: 'confirmed', firstConfirmedBy: null }, admin)).toEqual(['reopen']);
  });
  it('leaves the first confirmer of a high flag nothing to decide, and offers the second reviewer the flag', () => {
    expect(decisionsFor({ state: 'awaiting_second_review', firstConfirmedBy: teacher.id }, teacher)).toEqual([]);
    expect(decisionsFor({ state: 'awaiting_second_review', firstConfirmedBy: teacher.id }, admin)).toEqual(['confirm', 'dismiss', 'escalate']);
  });
  it('offers observers and students nothing', () => {
    expect(decisionsFor({ state: 'open', firstConfirmedBy: null }, { id: 'o', role: 'observer' })).toEqual([]);
    expect(decisionsFor({ state: 'open', firstConfirmedBy: null }, { id: 's', role: 'student' })).toEqual([]);
  });
  it('asks for a note except to dismiss an open flag', () => {
    expect(needsNote('open', 'dismiss')).toBe(false);
    expect(needsNote('open', 'confirm')).toBe(true);
    expect(needsNote('open', 'escalate')).toBe(true);
    expect(needsNote('awaiting_second_review', 'dismiss')).toBe(true);
    expect(needsNote('dismissed', 'reopen')).toBe(true);
  });
});

describe('words', () => {
  it('says the review problems plainly and others as the server does', () => {
    expect(problemWords(problem('second-reviewer-required', 409))).toMatch(/different reviewer/);
    expect(problemWords(problem('note-required', 400))).toBe('This decision needs a note.');
    expect(problemWords(problem('invalid-transition', 409))).toMatch(/no longer allows this decision/);
    expect(problemWords(problem('answer-limit', 409))).toMatch(/10 answers/);
    expect(problemWords(problem('rate-limited', 429))).toBe('429 rate-limited.');
    expect(problemWords(new TypeError('fetch failed'))).toBe('the server could not be reached.');
  });
  it('gives session times as m:ss and lists flat measured values', () => {
    expect(sessionTime(0)).toBe('0:00');
    expect(sessionTime(185_400)).toBe('3:05');
    expect(valuesOf({ chars: 185, share: 0.6161, high: true, nested: { a: 1 } })).toEqual([
      ['chars', '185'],
      ['share', '0.62'],
      ['high', 'true'],
    ]);
    expect(valuesOf(null)).toEqual([]);
  });
});
