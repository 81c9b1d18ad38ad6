import { describe, expect, it } from 'vitest';
import { announcementAt, clockOf } from './countdown';

describe('the exam countdown', () => {
  it('shows minutes and seconds, and hours when there are any', () => {
    expect(clockOf(0)).toBe('0:00');
    expect(clockOf(-5)).toBe('0:00');
    expect(clockOf(65.9)).toBe('1:05');
    expect(clockOf(3600 + 62)).toBe('1:01:02');
  });
  it('announces only at 5 minutes, 1 minute and the end, so the live region speaks three times', () => {
    let last: string | null = null;
    const changes: string[] = [];
    for (let s = 3600; s >= -1; s--) {
      const a = announcementAt(s);
      if (a !== last) changes.push(a);
      last = a;
    }
    expect(changes).toEqual(['', '5 minutes left.', '1 minute left.', 'Time is up.']);
    expect(announcementAt(301)).toBe('');
    expect(announcementAt(300)).toBe('5 minutes left.');
    expect(announcementAt(60)).toBe('1 minute left.');
  });
});
