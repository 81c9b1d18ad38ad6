import { sessionFlags } from './detectors';
import { excerptOf, LOC_WITHIN, type Fold } from './fold';
import { round } from './histogram';
import { scoreOf } from './score';
import { ORIGIN_PASTE_EXTERNAL } from './text-buffer';
import { ANALYSIS_FORMAT, PAUSE_LOCATIONS, type AnalysisOptions, type AnalysisResult, type Flag, type Metrics, type Note, type PauseLocation, type PauseLocationStats, type WritingMetrics } from './types';

const ratio = (a: number, b: number, digits = 4) => (b > 0 ? round(a / b, digits) : 0);

function writingMetrics(f: Fold): WritingMetrics {
  const th = f.th;
  const byLocation = {} as Record<PauseLocation, PauseLocationStats>;
  PAUSE_LOCATIONS.forEach((name, i) => {
    const h = f.locHist[i]!;
    byLocation[name] = { intervals: h.n, pauses: f.locPauses[i]!, medianMs: round(h.quantile(0.5)), meanMs: round(h.mean()) };
  });
  const within = f.locHist[LOC_WITHIN]!.quantile(0.5);
  const boundary = f.boundary.quantile(0.5);
  const origins = new Float64Array(8);
  f.text.countOrigins(origins);
  const finalLength = f.text.length;
  // An open burst at the end of the session ends there: a P-burst.
  const pCount = f.pBursts + (f.burstChars > 0 ? 1 : 0);
  const pChars = f.pBurstChars + f.burstChars;
  const active: number[] = [];
  const windows = [];
  let firstWin = -1;
  for (let i = 0; i < f.winChars.length; i++) {
    const c = f.winChars[i]!;
    const k = f.winKeys[i]!;
    if (c > 0 || k > 0) {
      if (firstWin < 0) firstWin = i;
      if (c > 0) active.push((c * 60_000) / th.speedWindowMs);
    }
    if (firstWin >= 0) windows.push({ tFrom: i * th.speedWindowMs, chars: c, keys: k });
  }
  while (windows.length > 0 && windows[windows.length - 1]!.chars === 0 && windows[windows.length - 1]!.keys === 0) windows.pop();
  const mean = active.length ? active.reduce((a, b) => a + b, 0) / active.length : 0;
  const sd = active.length > 1 ? Math.sqrt(active.reduce((a, b) => a + (b - mean) * (b - mean), 0) / active.length) : 0;

  const list = f.departureList.map((d) => ({ ...d }));
  let awayMs = f.awayMs;
  let longest = f.longestAway;
  if (f.watch !== null) {
    const open = list.find((d) => d.seqFrom === f.watch!.seqFrom && d.tFrom === f.watch!.tFrom);
    if (open) open.excerptAfterReturn = excerptOf(f.watchExcerpt);
  }
  if (f.awayStartT >= 0) {
    const dep = f.departure(f.lastSeq, f.lastT);
    awayMs += dep.durationMs;
    longest = Math.max(longest, dep.durationMs);
    if (list.length < 200) list.push(dep);
  }
  const typedWithoutKeys = f.typedWithoutKeys + (f.runOpen && f.runMax >= th.keylessChars ? f.runMax : 0);
  return {
    totalMs: round(f.lastT - f.firstT),
    activeMs: round(f.activeMs),
    pauses: {
      thresholdMs: th.pauseMs,
      thresholdsMs: [...th.pauseReportMs],
      countsOver: Array.from(f.pauseOver),
      totalPauseMs: round(f.totalPauseMs),
      byLocation,
      sentenceGradient: within > 0 ? round(boundary / within, 3) : 0,
      sentencePauseShare: ratio(f.boundaryPauses, f.boundary.n),
      intervalsWithAway: f.intervalsWithAway,
    },
    bursts: {
      p: { count: pCount, meanChars: ratio(pChars, pCount, 1) },
      r: { count: f.rBursts, meanChars: ratio(f.rBurstChars, f.rBursts, 1) },
    },
    keys: {
      count: f.prodKeys,
      interKey: f.iki.distribution(),
      hold: f.hold.distribution(),
      overlapRatio: ratio(f.overlaps, f.overlapPairs),
      untrusted: f.untrusted,
    },
    speed: { windowMs: th.speedWindowMs, windows, meanCharsPerMin: round(mean), cv: mean > 0 ? round(sd / mean, 4) : 0 },
    revisions: {
      insertedChars: f.inserted,
      deletedChars: f.deleted,
      deletions: f.deletions,
      revisionRatio: ratio(f.deleted, f.inserted),
      finalLength,
      productProcessRatio: ratio(finalLength, f.inserted),
    },
    paste: {
      count: f.pastes,
      chars: f.pasteChars,
      internal: { count: f.internalPastes, chars: f.internalChars },
      external: { count: f.externalPastes, chars: f.externalChars, largest: f.externalLargest },
      shareOfFinal: ratio(origins[ORIGIN_PASTE_EXTERNAL]!, finalLength),
      shareOfAdded: ratio(f.externalChars, f.inserted),
    },
    keyless: {
      largestInsertion: f.largestKeylessSeq >= 0 ? { chars: f.largestKeyless, seq: f.largestKeylessSeq, t: f.largestKeylessT, cause: f.largestKeylessCause } : null,
      typedWithoutKeys,
      programmaticChars: f.programmaticChars,
      untrustedChars: f.untrustedChars,
    },
    inputMethod: { ops: f.imOps, chars: f.imChars, byCause: { ime: f.imeChars, dictation: f.dictationChars, autocorrect: f.autocorrectChars } },
    away: { departures: f.departures, totalMs: round(awayMs), longestMs: round(longest), list },
    snapshots: { count: f.snapshots, mismatches: f.snapshotMismatches },
    typedChars: f.typedChars,
    textKeys: f.textKeys,
  };
}

/** Flags decided only at the end of the stream: open runs, an open return window, an open absence. */
function pendingFlags(f: Fold): Flag[] {
  const out: Flag[] = [];
  if (f.runOpen && f.runMax >= f.th.keylessChars) out.push(f.keylessFlag());
  if (f.watch !== null) {
    const flag = f.returnFlag({ ...f.watch }, f.watchExcerpt);
    if (flag) out.push(flag);
  }
  if (f.awayStartT >= 0) {
    const flag = f.absenceFlag(f.departure(f.lastSeq, f.lastT));
    if (flag) out.push(flag);
  }
  return out;
}

const INPUT_METHOD_DETECTORS = new Set(['keyless-text', 'machine-regular']);

/** The analysis result from the fold's state; reads the state, never changes it. */
export function resultOf(f: Fold, opts: AnalysisOptions): AnalysisResult {
  const hasWriting = f.ops > 0 || f.keyEvents > 0;
  const finalText = hasWriting ? f.text.slice(0, 400) : '';
  const writing = hasWriting ? writingMetrics(f) : null;
  const notes: Note[] = [];
  let flags: Flag[] = [...f.flags, ...pendingFlags(f), ...(writing ? sessionFlags(f, writing, finalText) : [])];
  if (opts.assistiveTechnology) {
    const moved = flags.filter((x) => INPUT_METHOD_DETECTORS.has(x.detector));
    flags = flags.filter((x) => !INPUT_METHOD_DETECTORS.has(x.detector));
    notes.push({
      topic: 'assistive-technology',
      message: `The student uses assistive technology: text without key presses and regular input timing are treated as its input method${moved.length ? ` (${moved.length} observation${moved.length === 1 ? '' : 's'} not flagged)` : ''}.`,
    });
  }
  flags.sort((a, b) => a.evidence.seqFrom - b.evidence.seqFrom || a.evidence.seqTo - b.evidence.seqTo || (a.detector < b.detector ? -1 : a.detector > b.detector ? 1 : 0));
  if (writing && writing.inputMethod.chars > 0) {
    const c = writing.inputMethod.byCause;
    const parts = [c.dictation ? `${c.dictation} by dictation` : '', c.ime ? `${c.ime} through an IME` : '', c.autocorrect ? `${c.autocorrect} by autocorrect` : ''].filter(Boolean);
    notes.push({ topic: 'input-method', message: `${writing.inputMethod.chars} characters came through an input method (${parts.join(', ')}). This is an input method, not pasting or automation, and is not flagged.` });
  }
  if (writing && writing.revisions.insertedChars < 100 && f.ops > 0) {
    notes.push({ topic: 'little-data', message: `Only ${writing.revisions.insertedChars} characters were written: too little to judge the writing process.` });
  }
  const hostSignals = f.acceptHost ? f.proctor.hostSignals() : null;
  if (!f.acceptHost && f.droppedHost > 0) notes.push({ topic: 'host-signals', message: `${f.droppedHost} signal events from the host page were refused by policy and not analysed.` });
  else if (hostSignals && hostSignals.length > 0) notes.push({ topic: 'host-signals', message: `The host page sent ${hostSignals.map((s) => s.key).join(', ')}; they are shown as the host labels them and are not part of the integrity score.` });
  const metrics: Metrics = {
    events: f.events,
    firstSeq: f.firstSeq,
    lastSeq: f.lastSeq,
    durationMs: round(f.lastT - f.firstT),
    byType: { ...f.byType },
    writing,
    proctoring: f.proctor.hasData() ? f.proctor.result() : null,
    sensor: f.sensors.hasData() ? f.sensors.result() : null,
  };
  return { format: ANALYSIS_FORMAT, metrics, flags, notes, score: scoreOf(flags), hostSignals: hostSignals && hostSignals.length ? hostSignals : null, thresholds: { ...f.th, pauseReportMs: [...f.th.pauseReportMs] } };
}

