import { clock } from './host';
import { excerptOf } from './excerpt';
import type { Fold } from './fold';
import type { Flag, WritingMetrics } from './types';

/**
 * Session-level detectors: they need the whole session's metrics, so they run on the fold's state
 * at the end (and whenever the incremental analyser is asked for its result).
 */
export function sessionFlags(f: Fold, w: WritingMetrics, finalText: string): Flag[] {
  const out: Flag[] = [];
  pasteShare(f, w, out);
  transcription(f, w, finalText, out);
  machineRegular(f, w, finalText, out);
  untrusted(f, out);
  return out;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function pasteShare(f: Fold, w: WritingMetrics, out: Flag[]): void {
  const th = f.th;
  const p = w.paste;
  if (p.external.chars === 0 || w.revisions.insertedChars < 50) return;
  const overFinal = p.shareOfFinal > th.pasteShareOfFinal;
  const overAdded = p.shareOfAdded > th.pasteShareOfAdded;
  if (!overFinal && !overAdded) return;
  out.push({
    detector: 'paste-share',
    severity: overFinal ? 'high' : 'medium',
    evidence: { seqFrom: f.paste.firstExternalSeq, seqTo: f.paste.lastExternalSeq, tFrom: f.paste.firstExternalT, tTo: f.paste.lastExternalT, excerpt: f.paste.largestExternalExcerpt },
    message: overFinal
      ? `${pct(p.shareOfFinal)} of the final text was pasted from outside the session (${p.external.count} paste${p.external.count === 1 ? '' : 's'}).`
      : `${pct(p.shareOfAdded)} of all text added during the session was pasted from outside it (${p.external.count} paste${p.external.count === 1 ? '' : 's'}).`,
    values: { shareOfFinal: p.shareOfFinal, shareOfAdded: p.shareOfAdded, pasteShareOfFinal: th.pasteShareOfFinal, pasteShareOfAdded: th.pasteShareOfAdded },
  });
}

function transcription(f: Fold, w: WritingMetrics, finalText: string, out: Flag[]): void {
  const th = f.th;
  const boundaries = w.pauses.byLocation.beforeSentence.intervals + w.pauses.byLocation.beforeParagraph.intervals;
  if (w.typedChars < th.transcriptionMinChars || boundaries < th.transcriptionMinSentences) return;
  const g = w.pauses.sentenceGradient;
  const share = w.pauses.sentencePauseShare;
  if (!(g < th.transcriptionMaxGradient && share < th.transcriptionMaxSentencePauseShare)) return;
  const fewRevisions = w.revisions.revisionRatio < th.transcriptionMaxRevisionRatio;
  out.push({
    detector: 'transcription',
    severity: fewRevisions ? 'high' : 'medium',
    evidence: { seqFrom: f.edits.firstTypedSeq, seqTo: f.edits.lastTypedSeq, tFrom: f.edits.firstTypedT, tTo: f.edits.lastTypedT, excerpt: excerptOf(finalText) },
    message:
      `${w.typedChars} characters were typed at a steady pace with ${fewRevisions ? 'almost no revision' : 'some revision'} and no pause at sentence starts ` +
      `(${pct(share)} of ${boundaries} sentence starts had a pause of ${th.pauseMs / 1000} s or more; the writing looks copied from a source rather than composed).`,
    values: {
      typedChars: w.typedChars,
      sentenceGradient: g,
      sentencePauseShare: share,
      revisionRatio: w.revisions.revisionRatio,
      transcriptionMaxGradient: th.transcriptionMaxGradient,
      transcriptionMaxSentencePauseShare: th.transcriptionMaxSentencePauseShare,
      transcriptionMaxRevisionRatio: th.transcriptionMaxRevisionRatio,
    },
  });
}

function machineRegular(f: Fold, w: WritingMetrics, finalText: string, out: Flag[]): void {
  const th = f.th;
  const k = w.keys;
  if (k.count < th.machineMinKeys) return;
  const signs: string[] = [];
  if (k.hold.cv < th.machineMaxHoldCv) signs.push(`key hold times are constant (variation ${k.hold.cv})`);
  if (k.interKey.iqrOverMedian < th.machineMaxIntervalDispersion) signs.push(`intervals between keys are too regular (spread ${k.interKey.iqrOverMedian})`);
  if (k.overlapRatio < th.machineMaxOverlap) signs.push(`no key is pressed before the previous one is released (${pct(k.overlapRatio)}; people overlap 25–50%)`);
  if (k.interKey.medianMs < th.machineMinMedianIntervalMs) signs.push(`keys come faster than a person can sustain (median ${k.interKey.medianMs} ms)`);
  if (signs.length === 0) return;
  out.push({
    detector: 'machine-regular',
    severity: signs.length >= 3 ? 'high' : signs.length === 2 ? 'medium' : 'low',
    evidence: { seqFrom: f.keys.firstSeq, seqTo: f.keys.lastSeq, tFrom: f.keys.firstT, tTo: f.keys.lastT, excerpt: excerptOf(finalText) },
    message: `The typing looks machine-made: ${signs.join('; ')}.`,
    values: {
      keys: k.count,
      holdCv: k.hold.cv,
      intervalDispersion: k.interKey.iqrOverMedian,
      overlapRatio: k.overlapRatio,
      medianIntervalMs: k.interKey.medianMs,
      machineMaxHoldCv: th.machineMaxHoldCv,
      machineMaxIntervalDispersion: th.machineMaxIntervalDispersion,
      machineMaxOverlap: th.machineMaxOverlap,
      machineMinMedianIntervalMs: th.machineMinMedianIntervalMs,
    },
  });
}

function untrusted(f: Fold, out: Flag[]): void {
  const u = f.untrusted;
  if (u.count === 0) return;
  const high = u.count >= f.th.untrustedEvents;
  out.push({
    detector: 'untrusted-input',
    severity: high ? 'high' : 'low',
    evidence: { seqFrom: u.firstSeq, seqTo: u.lastSeq, tFrom: u.firstT, tTo: u.lastT, excerpt: '' },
    message: `${u.count} input event${u.count === 1 ? ' was' : 's were'} made by a script rather than the keyboard, between ${clock(u.firstT)} and ${clock(u.lastT)}${u.chars > 0 ? `, producing ${u.chars} characters` : ''}.`,
    values: { untrustedEvents: u.count, untrustedChars: u.chars, threshold: f.th.untrustedEvents },
  });
}
