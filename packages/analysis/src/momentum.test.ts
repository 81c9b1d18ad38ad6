import { describe, expect, it } from 'vitest';
import { momentumOf, slopeOf, type AttemptOutcome } from './momentum';

const done = (scorePercent: number | null, over: Partial<AttemptOutcome> = {}): AttemptOutcome => ({
  completed: true,
  scorePercent,
  passPercent: 50,
  littleWriting: false,
  copySign: false,
  ...over,
});

describe('learning momentum and dropout label', () => {
  it('needs two finished attempts', () => {
    expect(momentumOf([])).toMatchObject({ index: null, label: null, attempts: 0 });
    expect(momentumOf([done(90)])).toMatchObject({ index: null, label: null, attempts: 1 });
  });

  it('weighs completion, trend and level as documented', () => {
    // All completed (40), rising 20 points per attempt (30), mean 70% (21).
    expect(momentumOf([done(50), done(70), done(90)])).toMatchObject({ index: 91, label: 'safe' });
    // Nothing scored yet: trend and level count half.
    expect(momentumOf([done(null), done(null)])).toMatchObject({ index: 70, label: 'safe' });
    expect(slopeOf([10, 20, 30])).toBe(10);
    expect(slopeOf([5])).toBe(0);
  });

  it('labels copy, no interest and incapable by the first rule that holds, over the last five attempts only', () => {
    expect(momentumOf([done(80, { copySign: true }), done(80), done(80, { copySign: true })]).label).toBe('copy');
    expect(momentumOf([done(80), done(null, { completed: false }), done(null, { littleWriting: true })]).label).toBe('no_interest');
    expect(momentumOf([done(40), done(30), done(30)]).label).toBe('incapable');
    // Under the pass mark but rising: not incapable.
    expect(momentumOf([done(20), done(30), done(45)]).label).toBe('safe');
    // Two old copies out of the window of five no longer count.
    const old = [done(80, { copySign: true }), done(80, { copySign: true })];
    expect(momentumOf([...old, done(80), done(80), done(80), done(80), done(80)]).label).toBe('safe');
    expect(momentumOf([...old, done(80), done(80), done(80)]).label).toBe('copy');
    expect(momentumOf([done(40), done(30), done(30)]).recommendations[0]).toMatch(/pass mark/);
  });
});
