import { clock } from './host';
import type { Fold } from './fold';
import { ratio, round } from './histogram';
import type { Flag, Thresholds, WritingMetrics } from './types';

/**
 * Session-level detectors: they need the whole session's metrics, so they run on the fold's state
 * at the end (and whenever the incremental analyser is asked for its result).
 */
export function sessionFlags(f: Fold, w: WritingMetrics): Flag[] {
  const out: Flag[] = [];
  pasteShare(f, w, out);
  if (f.caps.textChanges) transcription(f, w, out);
  machineRegular(f, w, out);
  if (f.caps.trustedFlags) untrusted(f, out);
  return out;
}

/** A share as a percentage with at most one decimal (0.0059 → 0.6%). */
function pct(x: number): string {
  return `${round(x * 100, 1)}%`;
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
    evidence: {
      seqFrom: f.paste.firstExternalSeq,
      seqTo: f.paste.lastExternalSeq,
      tFrom: f.paste.firstExternalT,
      tTo: f.paste.lastExternalT,
      excerpt: f.paste.largestExternalExcerpt,
    },
    message: overFinal
      ? `${pct(p.shareOfFinal)} of the final text was pasted from outside the session (${p.external.count} paste${p.external.count === 1 ? '' : 's'}; over ${pct(th.pasteShareOfFinal)} is high).`
      : `${pct(p.shareOfAdded)} of all text added during the session was pasted from outside it (${p.external.count} paste${p.external.count === 1 ? '' : 's'}; over ${pct(th.pasteShareOfAdded)} is medium).`,
    values: {
      shareOfFinal: p.shareOfFinal,
      shareOfAdded: p.shareOfAdded,
      externalPastes: p.external.count,
      pasteShareOfFinal: th.pasteShareOfFinal,
      pasteShareOfAdded: th.pasteShareOfAdded,
    },
  });
}

function transcription(f: Fold, w: WritingMetrics, out: Flag[]): void {
  const th = f.th;
  const pz = w.pauses;
  const boundaries = pz.boundaries;
  if (w.typedChars < th.transcriptionMinChars || boundaries < th.transcriptionMinSentences) return;
  const g = pz.sentenceGradient;
  const share = pz.sentencePauseShare;
  const pauseRate = ratio(pz.count * 100, w.typedChars, 2);
  // Copying from a source: no thinking at sentence starts (share and gradient) and a steady pace
  // (few pauses anywhere). A writer who pauses mid-sentence rather than between sentences has
  // pauses, so is not taken for a copier.
  if (!(g < th.transcriptionMaxGradient && share < th.transcriptionMaxSentencePauseShare && pauseRate < th.transcriptionMaxPausesPer100Chars)) return;
  // Going back into earlier text to change it is composing; a copier only fixes slips at the end.
  const inText = w.revisions.inTextEdits;
  const fewRevisions = w.revisions.revisionRatio < th.transcriptionMaxRevisionRatio && inText === 0;
  const { moments, count } = f.pauses.unpausedMoments();
  const first = moments[0];
  const last = moments[moments.length - 1];
  const s = (th.pauseMs / 1000).toString();
  out.push({
    detector: 'transcription',
    severity: fewRevisions ? 'high' : 'medium',
    evidence: {
      seqFrom: first?.seqFrom ?? f.edits.firstTypedSeq,
      seqTo: last?.seqTo ?? f.edits.lastTypedSeq,
      tFrom: first?.tFrom ?? f.edits.firstTypedT,
      tTo: last?.tTo ?? f.edits.lastTypedT,
      excerpt: first?.excerpt ?? '',
      moments,
    },
    message:
      `${pz.pausedBoundaries} of ${boundaries} sentence starts (${pct(share)}) held a pause of ${s} s or more, under the ${pct(th.transcriptionMaxSentencePauseShare)} threshold; ` +
      `the median sentence-start interval was ${g} times the median interval within words (under ${th.transcriptionMaxGradient}); ` +
      `${pz.count} pauses of ${s} s or more in ${w.typedChars} typed characters (${pauseRate} per 100, under ${th.transcriptionMaxPausesPer100Chars}); ` +
      `revision ratio ${w.revisions.revisionRatio}${w.revisions.revisionRatio < th.transcriptionMaxRevisionRatio ? ` (under ${th.transcriptionMaxRevisionRatio})` : ''} and ${inText} edit${inText === 1 ? '' : 's'} inside earlier text. ` +
      `${count} sentence${count === 1 ? ' was' : 's were'} started without a pause. This pattern fits copying from a source rather than composing.`,
    values: {
      typedChars: w.typedChars,
      boundaries,
      pausedBoundaries: pz.pausedBoundaries,
      sentencePauseShare: share,
      sentenceGradient: g,
      pauses: pz.count,
      pausesPer100Chars: pauseRate,
      revisionRatio: w.revisions.revisionRatio,
      inTextEdits: inText,
      unpausedSentences: count,
      pauseMs: th.pauseMs,
      transcriptionMaxGradient: th.transcriptionMaxGradient,
      transcriptionMaxSentencePauseShare: th.transcriptionMaxSentencePauseShare,
      transcriptionMaxPausesPer100Chars: th.transcriptionMaxPausesPer100Chars,
      transcriptionMaxRevisionRatio: th.transcriptionMaxRevisionRatio,
    },
  });
}

/**
 * The overlap threshold at a writer's speed. People overlap keys when the next press comes before
 * the last release: common when the median interval is near a hold time, rare for slow typists
 * (300 ms and more), for whom little or no overlap is normal. The threshold applies as is up to
 * `machineOverlapReferenceMs`, falls linearly to zero at `machineOverlapOffMs`, and is zero (the
 * sign cannot fire) beyond.
 */
export function overlapThresholdAt(th: Thresholds, medianIntervalMs: number): number {
  const full = th.machineOverlapReferenceMs;
  const off = Math.max(full, th.machineOverlapOffMs);
  if (!(medianIntervalMs > full)) return th.machineMaxOverlap;
  if (medianIntervalMs >= off) return 0;
  return round((th.machineMaxOverlap * (off - medianIntervalMs)) / (off - full), 4);
}

function machineRegular(f: Fold, w: WritingMetrics, out: Flag[]): void {
  const th = f.th;
  const k = w.keys;
  if (!f.caps.keys || k.count < th.machineMinKeys) return;
  const holds = f.caps.keyHolds;
  const overlapMax = overlapThresholdAt(th, k.interKey.medianMs);
  const signs: string[] = [];
  if (holds && k.hold.cv < th.machineMaxHoldCv) signs.push(`key hold times vary by ${k.hold.cv} (coefficient of variation, under ${th.machineMaxHoldCv})`);
  if (k.interKey.iqrOverMedian < th.machineMaxIntervalDispersion)
    signs.push(`intervals between keys spread by ${k.interKey.iqrOverMedian} (interquartile range ÷ median, under ${th.machineMaxIntervalDispersion})`);
  if (holds && k.overlapRatio < overlapMax)
    signs.push(`${pct(k.overlapRatio)} of keys were pressed before the previous one was released (under ${pct(overlapMax)} at this typing speed)`);
  if (k.interKey.medianMs < th.machineMinMedianIntervalMs)
    signs.push(`the median interval between keys is ${k.interKey.medianMs} ms (under ${th.machineMinMedianIntervalMs} ms)`);
  if (signs.length === 0) return;
  out.push({
    detector: 'machine-regular',
    severity: signs.length >= 3 ? 'high' : signs.length === 2 ? 'medium' : 'low',
    evidence: { seqFrom: f.keys.firstSeq, seqTo: f.keys.lastSeq, tFrom: f.keys.firstT, tTo: f.keys.lastT, excerpt: '', moments: f.keys.regularStretches() },
    message: `Over ${k.count} keys the typing looks machine-made: ${signs.join('; ')}.`,
    values: {
      keys: k.count,
      holdCv: k.hold.cv,
      intervalDispersion: k.interKey.iqrOverMedian,
      overlapRatio: k.overlapRatio,
      medianIntervalMs: k.interKey.medianMs,
      machineMaxHoldCv: th.machineMaxHoldCv,
      machineMaxIntervalDispersion: th.machineMaxIntervalDispersion,
      machineMaxOverlap: th.machineMaxOverlap,
      machineOverlapAtSpeed: overlapMax,
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
    message: `${u.count} input event${u.count === 1 ? ' was' : 's were'} made by a script rather than the keyboard, between ${clock(u.firstT)} and ${clock(u.lastT)}${u.chars > 0 ? `, producing ${u.chars} characters` : ''} (${f.th.untrustedEvents} or more is high).`,
    values: { untrustedEvents: u.count, untrustedChars: u.chars, threshold: f.th.untrustedEvents },
  });
}
