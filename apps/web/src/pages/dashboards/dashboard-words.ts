/** How the dashboards say numbers and labels in words: one place, so every page says them the same way. */
export type Risk = 'low' | 'medium' | 'high';
export type DropoutLabel = 'safe' | 'incapable' | 'copy' | 'no_interest';

/** A share (0–1) as a whole percentage, or a dash when there is none. */
export const percent = (share: number | null | undefined): string => (share === null || share === undefined ? '—' : `${Math.round(share * 100)}%`);
/** A number with at most one decimal, or a dash. */
export const decimal = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : Number.isInteger(n) ? String(n) : n.toLocaleString('en', { maximumFractionDigits: 1 });
/** An integrity score (0–1) as a percentage, or why there is none. */
export const integrityText = (integrity: number | null, analysis?: 'done' | 'not-enough-data' | 'none'): string =>
  integrity !== null ? percent(integrity) : analysis === 'not-enough-data' ? 'too little writing' : 'not analysed';
export const riskText = (risk: Risk | null): string => (risk === null ? '—' : risk);

export const STATE_LABEL: Record<string, string> = {
  not_started: 'not started',
  in_progress: 'in progress',
  submitted: 'submitted',
  abandoned: 'abandoned',
  timed_out: 'timed out',
  graded: 'graded',
};
export const stateText = (state: string): string => STATE_LABEL[state] ?? state;

/** The dropout labels in plain words (packages/analysis README, "Momentum and dropout label"). */
export const DROPOUT_LABEL: Record<DropoutLabel, string> = {
  safe: 'On track',
  incapable: 'Struggling with the work',
  copy: 'Signs of copying',
  no_interest: 'Losing interest',
};
export const dropoutText = (label: DropoutLabel | null): string => (label === null ? 'Not enough finished attempts yet' : DROPOUT_LABEL[label]);

/** A moment as a short date and time, in the reader's locale. */
export const when = (iso: string | null): string =>
  iso === null ? '—' : new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';

/** Writing time in minutes and seconds. */
export const duration = (ms: number | null): string => {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
};
