import type { AnalysisResult, Departure, Flag, Note, SpeedWindow, WritingMetrics } from '@veritas/schema';
import { ANALYSIS_FORMAT, isFlag } from '@veritas/schema';
import { FLAG_EXPLANATIONS } from '../analysis';

/**
 * What a session's PDF report says, decided apart from how it is drawn (report-pdf.ts): pure, from
 * the session's facts, its stored analysis, its flags' review outcomes and its certificate. Nothing
 * depends on who asks: the student reads exactly what their teacher reads.
 */

export interface ReportSession {
  id: string;
  title: string | null;
  kind: string;
  createdAt: Date;
  endedAt: Date | null;
  events: number;
  durationMs: number;
  headHash: string;
}

export interface ReportCertificate {
  id: string;
  kid: string;
  jws: string;
  issuedAt: Date;
  state: 'valid' | 'revoked';
  revokedAt: Date | null;
  analysisDigest: string;
}

/** A flag's review outcome, by detector (the review keeps one flag per session and detector). */
export interface ReviewOutcome {
  kind: string;
  state: string;
  decidedAt: Date | null;
}

export interface ReportInput {
  session: ReportSession;
  analysis: unknown;
  analyzedAt: string;
  analysisVersion: string;
  outcomes: readonly ReviewOutcome[];
  certificate: ReportCertificate | null;
  /** Where the verify page is: the QR code and the printed link point there. */
  verifyUrl: string;
}

export interface ChronologyEntry {
  t: number;
  text: string;
}

export interface ReportFlag {
  number: number;
  detector: string;
  severity: 'low' | 'medium' | 'high';
  explanation: string;
  measured: string;
  tFrom: number;
  tTo: number;
  seqFrom: number;
  seqTo: number;
  excerpt: string;
  outcome: string;
}

export interface TimelineData {
  durationMs: number;
  windowMs: number;
  windows: readonly SpeedWindow[];
  away: readonly Pick<Departure, 'tFrom' | 'tTo'>[];
  flags: readonly Pick<ReportFlag, 'number' | 'severity' | 'tFrom' | 'tTo'>[];
}

export interface ReportContent {
  title: string;
  facts: [string, string][];
  summary: string;
  timeline: TimelineData;
  chronology: ChronologyEntry[];
  chronologyMore: number;
  metrics: string[];
  flags: ReportFlag[];
  notes: string[];
  certificate: ReportCertificate | null;
  chainHead: string;
  verifyUrl: string;
  about: string;
}

/** The chronology lists at most this many moments (the chart shows them all): a typical essay's report stays one page. */
export const CHRONOLOGY_SHOWN = 12;

const OUTCOME_WORDS: Record<string, string> = {
  open: 'not reviewed yet',
  awaiting_second_review: 'confirmed by one reviewer, waiting for a second',
  confirmed: 'confirmed by a reviewer',
  dismissed: 'dismissed by a reviewer',
  escalated: 'escalated for further review',
};

/** m:ss, or h:mm:ss past an hour: session time as a reader counts it. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A duration in words: "42 s", "3 min 5 s", "1 h 2 min". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
const percent = (x: number) => `${Math.round(x * 100)}%`;

/** The writing metrics in plain sentences, in the analysis README's terms, with the numbers. */
export function metricsInWords(w: WritingMetrics, pauseMs: number): string[] {
  const out: string[] = [];
  out.push(
    `Writing took ${duration(w.totalMs)} from the first to the last change, ${duration(w.activeMs)} of it active writing ` +
      `(changes less than ${duration(pauseMs)} apart); the final text has ${count(w.revisions.finalLength, 'character')}.`,
  );
  out.push(
    `Typing speed averaged ${Math.round(w.speed.meanCharsPerMin)} characters a minute over the minutes with typing` +
      (w.speed.windows.length > 1 ? `, varying by ${percent(w.speed.cv)} from minute to minute.` : '.'),
  );
  const p = w.pauses;
  out.push(
    `There ${p.count === 1 ? 'was' : 'were'} ${count(p.count, 'pause')} of ${duration(pauseMs)} or more; ` +
      (p.boundaries > 0
        ? `${p.pausedBoundaries} of ${count(p.boundaries, 'sentence or paragraph start')} came after one (${percent(p.sentencePauseShare)}), as composing usually does.`
        : 'no sentence or paragraph start was recorded.'),
  );
  out.push(
    `Text came in ${count(w.bursts.p.count, 'burst')} between pauses, ${Math.round(w.bursts.p.meanChars)} characters long on average; ` +
      `${count(w.bursts.r.count, 'burst')} ended in a revision.`,
  );
  const r = w.revisions;
  out.push(
    `${count(r.insertedChars, 'character')} were written and ${count(r.deletedChars, 'character')} deleted (revision ratio ${r.revisionRatio.toFixed(2)}); ` +
      `${count(r.inTextEdits, 'edit')} changed earlier text, and the final text keeps ${percent(r.productProcessRatio)} of everything written.`,
  );
  const paste = w.paste;
  out.push(
    paste.count === 0
      ? 'Nothing was pasted.'
      : `${count(paste.count, 'paste')} brought in ${count(paste.chars, 'character')}: ${paste.internal.count} from within this session, ` +
          `${paste.external.count} from outside (${count(paste.external.chars, 'character')}, ${percent(paste.shareOfFinal)} of the final text).`,
  );
  if (w.inputMethod.ops > 0)
    out.push(`${count(w.inputMethod.chars, 'character')} came from an input method (IME, dictation or autocorrect), which counts as writing, not as pasting.`);
  out.push(
    w.away.departures === 0
      ? 'The writer did not leave the page.'
      : `The writer left the page ${count(w.away.departures, 'time')}, ${duration(w.away.totalMs)} in all (longest ${duration(w.away.longestMs)}).`,
  );
  return out;
}

function factsOf(s: ReportSession, analyzedAt: string, version: string): [string, string][] {
  return [
    ['Session', s.id],
    ['Kind', s.kind],
    ['Started', s.createdAt.toISOString().replace('T', ' ').slice(0, 19) + ' UTC'],
    ['Ended', s.endedAt ? s.endedAt.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : 'not ended'],
    ['Length', `${duration(s.durationMs)}, ${count(s.events, 'event')}`],
    ['Analysed', `${analyzedAt.replace('T', ' ').slice(0, 19)} UTC (${version})`],
  ];
}

function chronologyOf(s: ReportSession, w: WritingMetrics | null, flags: readonly ReportFlag[]): ChronologyEntry[] {
  const out: ChronologyEntry[] = [{ t: 0, text: 'Session started' }];
  const firstTyping = w?.speed.windows.find((x) => x.chars > 0);
  if (firstTyping) out.push({ t: firstTyping.tFrom, text: 'Typing began (first minute with typing)' });
  for (const d of w?.away.list ?? []) out.push({ t: d.tFrom, text: `Left the page for ${duration(d.durationMs)}` });
  for (const f of flags) out.push({ t: f.tFrom, text: `Flag ${f.number} (${f.severity}): ${f.detector}` });
  out.push({
    t: s.durationMs,
    text: `Session ended${w ? `: final text ${count(w.revisions.finalLength, 'character')}` : ''}, ${count(s.events, 'event')} recorded`,
  });
  return out.sort((a, b) => a.t - b.t);
}

export function reportContent(input: ReportInput): ReportContent {
  const r = input.analysis as Partial<AnalysisResult>;
  const current = r.format === ANALYSIS_FORMAT;
  const flagsRaw = (Array.isArray(r.flags) ? r.flags : []).filter((f): f is Flag => isFlag(f));
  const outcomeOf = new Map(input.outcomes.map((o) => [o.kind, o]));
  const flags: ReportFlag[] = flagsRaw.map((f, i) => {
    const o = outcomeOf.get(f.detector);
    return {
      number: i + 1,
      detector: f.detector,
      severity: f.severity,
      explanation: FLAG_EXPLANATIONS[f.detector],
      measured: f.message,
      tFrom: f.evidence.tFrom,
      tTo: f.evidence.tTo,
      seqFrom: f.evidence.seqFrom,
      seqTo: f.evidence.seqTo,
      excerpt: f.evidence.excerpt,
      outcome: o ? `${OUTCOME_WORDS[o.state] ?? o.state}${o.decidedAt ? ` (${o.decidedAt.toISOString().slice(0, 10)})` : ''}` : 'not in review',
    };
  });
  const w = current && r.metrics ? r.metrics.writing : null;
  const pauseMs = current && r.thresholds ? r.thresholds.pauseMs : 2000;
  const chronology = chronologyOf(input.session, w, flags);
  const shown = chronology.length > CHRONOLOGY_SHOWN ? [...chronology.slice(0, CHRONOLOGY_SHOWN - 1), chronology.at(-1)!] : chronology;
  const score = current ? r.score : undefined;
  return {
    title: input.session.title ?? 'Writing session',
    facts: factsOf(input.session, input.analyzedAt, input.analysisVersion),
    summary: score ? score.summary : `The analysis raised ${count(flags.length, 'flag')}.`,
    timeline: {
      durationMs: Math.max(input.session.durationMs, w?.totalMs ?? 0, 1),
      windowMs: w?.speed.windowMs ?? 60_000,
      windows: w?.speed.windows ?? [],
      away: w?.away.list ?? [],
      flags,
    },
    chronology: shown,
    chronologyMore: chronology.length - shown.length,
    metrics: w ? metricsInWords(w, pauseMs) : ['This session has no writing, so there are no writing-process metrics.'],
    flags,
    notes: (current && Array.isArray(r.notes) ? (r.notes as Note[]) : []).map((n) => n.message),
    certificate: input.certificate,
    chainHead: input.session.headHash,
    verifyUrl: input.verifyUrl,
    about:
      'A flag is evidence for a person to look at and weigh, never a verdict; dictation, an IME and assistive technology are ways of writing, not pasting. ' +
      'The student and their teacher read this same report.',
  };
}
