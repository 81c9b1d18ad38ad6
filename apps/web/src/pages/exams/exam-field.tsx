import type { InputHTMLAttributes } from 'react';

/**
 * A labelled native input for the exam form (numbers and datetime-local, which React Aria's
 * TextField does not take): the label, a hint, and the server's error for the field, each tied to
 * the input (aria-describedby, aria-invalid).
 */
export function ExamField({
  name,
  label,
  hint,
  error,
  ...input
}: { name: string; label: string; hint?: string; error?: string | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  const id = `exam-${name}`;
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <input
        id={id}
        name={name}
        className="field-input"
        aria-invalid={error ? true : undefined}
        {...(describedBy ? { 'aria-describedby': describedBy } : {})}
        {...(error ? { 'data-invalid': true } : {})}
        {...input}
      />
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
      <div className="field-error-slot">
        {error && (
          <span id={`${id}-error`} className="field-error">
            {error}
          </span>
        )}
      </div>
    </div>
  );
}

/** A stored instant as a datetime-local value in the browser's time zone ("2026-11-30T23:30"). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the browser's time zone) as an instant; undefined when empty or unreadable. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export type ExamState = 'upcoming' | 'open' | 'closed' | 'archived';

/** Where an exam stands now: before its window, in it, after it, or archived. */
export function examState(exam: { opensAt: string; closesAt: string; archivedAt: string | null }, now = Date.now()): ExamState {
  if (exam.archivedAt) return 'archived';
  if (now < Date.parse(exam.opensAt)) return 'upcoming';
  return now < Date.parse(exam.closesAt) ? 'open' : 'closed';
}

export const STATE_LABEL: Record<ExamState, string> = { upcoming: 'Not open yet', open: 'Open', closed: 'Closed', archived: 'Archived' };

export const formatWhen = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
