import { describe, expect, it } from 'vitest';
import { NAVIGATION, safeNext, startPageOf } from './navigation';

describe('safeNext', () => {
  it.each(['/profile', '/replay/abc?share=x', '/admin/users#top'])('keeps a path of this app: %s', (next) => {
    expect(safeNext(next)).toBe(next);
  });
  it.each([null, '', 'profile', '//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)'])('refuses %s', (next) => {
    expect(safeNext(next)).toBeUndefined();
  });
});

describe('navigation', () => {
  it('starts each role on the first page of its navigation', () => {
    expect(startPageOf('admin')).toBe('/admin/users');
    expect(startPageOf('teacher')).toBe('/classes');
    expect(startPageOf('observer')).toBe('/sessions');
    expect(startPageOf('student')).toBe('/my/sessions');
  });
  it('offers flag review to the reviewers and the observer, and their own flags to the student', () => {
    for (const role of ['admin', 'teacher', 'observer'] as const) expect(NAVIGATION[role].map((i) => i.to)).toContain('/review');
    expect(NAVIGATION.student.map((i) => i.label)).toEqual(['My sessions', 'My dashboard', 'My exams', 'My flags', 'Profile']);
    expect(NAVIGATION.student.map((i) => i.to)).not.toContain('/review');
  });
  it('offers exams to the teacher to set and to the student to take', () => {
    expect(NAVIGATION.teacher.map((i) => i.label)).toEqual(['Classes', 'Dashboard', 'Exams', 'Sessions', 'Review']);
    expect(NAVIGATION.student.map((i) => i.to)).toContain('/my/exams');
    for (const role of ['admin', 'observer', 'student'] as const) expect(NAVIGATION[role].map((i) => i.to)).not.toContain('/exams');
  });
  it('offers the dashboards: the student their own, the teacher theirs', () => {
    expect(NAVIGATION.student.map((i) => i.to)).toContain('/my/dashboard');
    expect(NAVIGATION.teacher.map((i) => i.to)).toContain('/dashboard');
    for (const role of ['admin', 'observer', 'student'] as const) expect(NAVIGATION[role].map((i) => i.to)).not.toContain('/dashboard');
  });
  it('gives the anonymous visitor Home, Write and Sign in', () => {
    expect(NAVIGATION.anonymous.map((i) => i.label)).toEqual(['Home', 'Write', 'Sign in']);
  });
});
