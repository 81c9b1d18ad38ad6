import { sessionFlags } from './detectors';
import { ORIGIN_PASTE_EXTERNAL, type Fold } from './fold';
import { round } from './histogram';
import { notEnoughData, scoreOf } from './score';
import { notCheckedFor } from './not-checked';
import { ANALYSIS_FORMAT, type AnalysisOptions, type AnalysisResult, type Flag, type Metrics, type Note, type WritingMetrics } from './types';

function writingMetrics(f: Fold): WritingMetrics {
  const origins = new Float64Array(8);
  f.text.countOrigins(origins);
  const finalLength = f.text.length;
  return {
    totalMs: round(f.lastT - f.firstT),
    activeMs: f.pauses.activeMetric(),
    pauses: f.pauses.pausesMetrics(),
    bursts: f.pauses.burstsMetrics(),
    keys: f.keys.metrics(f.untrusted.count),
    speed: f.speed.metrics(),
    revisions: f.edits.revisionsMetrics(finalLength),
    paste: f.paste.metrics(origins[ORIGIN_PASTE_EXTERNAL]!, finalLength, f.edits.inserted),
    keyless: f.keyless.metrics(f.untrusted.chars),
    inputMethod: f.edits.inputMethodMetrics(),
    away: f.away.metrics(f.lastSeq, f.lastT),
    snapshots: { count: f.snapshots, mismatches: f.snapshotMismatches },
    typedChars: f.edits.typedChars,
    textKeys: f.keyless.textKeys,
  };
}

/** Flags decided only at the end of the stream: open runs, an open return window, an open absence. */
function pendingFlags(f: Fold): Flag[] {
  const out: Flag[] = [];
  if (f.keyless.openRunFlagged()) out.push(f.keyless.runFlag());
  f.away.openFlags(f.lastSeq, f.lastT, out);
  return out;
}

const INPUT_METHOD_DETECTORS = new Set(['keyless-text', 'machine-regular']);

/** The analysis result from the fold's state; reads the state, never changes it. */
export function resultOf(f: Fold, opts: AnalysisOptions): AnalysisResult {
  const hasWriting = f.ops > 0 || f.keyEvents > 0;
  const writing = hasWriting ? writingMetrics(f) : null;
  const notes: Note[] = [];
  const notChecked = hasWriting || f.caps.textChanges === false ? notCheckedFor(f.caps) : [];
  let flags: Flag[] = [...f.raised.flags, ...pendingFlags(f), ...(writing ? sessionFlags(f, writing) : [])];
  // Never a flag from a signal the source did not capture (the fold does not read such events; this holds it).
  const unchecked = new Set(notChecked.filter((n) => !n.partly).map((n) => n.detector));
  flags = flags.filter((x) => !unchecked.has(x.detector));
  if (opts.assistiveTechnology) {
    const moved = flags.filter((x) => INPUT_METHOD_DETECTORS.has(x.detector));
    flags = flags.filter((x) => !INPUT_METHOD_DETECTORS.has(x.detector));
    notes.push({
      topic: 'assistive-technology',
      message: `The student uses assistive technology: text without key presses and regular input timing are treated as its input method${moved.length ? ` (${moved.length} observation${moved.length === 1 ? '' : 's'} not flagged)` : ''}.`,
    });
  }
  flags.sort(
    (a, b) =>
      a.evidence.seqFrom - b.evidence.seqFrom || a.evidence.seqTo - b.evidence.seqTo || (a.detector < b.detector ? -1 : a.detector > b.detector ? 1 : 0),
  );
  if (writing && writing.inputMethod.chars > 0) {
    const c = writing.inputMethod.byCause;
    const parts = [
      c.dictation ? `${c.dictation} by dictation` : '',
      c.ime ? `${c.ime} through an IME` : '',
      c.autocorrect ? `${c.autocorrect} by autocorrect` : '',
    ].filter(Boolean);
    notes.push({
      topic: 'input-method',
      message: `${writing.inputMethod.chars} characters came through an input method (${parts.join(', ')}). This is an input method, not pasting or automation, and is not flagged.`,
    });
  }
  for (const n of notChecked) notes.push({ topic: 'not-captured', message: n.message });
  let tooLittle: string | null = null;
  if (writing && writing.revisions.insertedChars < f.th.minJudgedChars) {
    tooLittle = `only ${writing.revisions.insertedChars} characters were written (fewer than ${f.th.minJudgedChars}), too little to judge the writing process.`;
  } else if (f.events + f.droppedHost === 0) {
    // Proctoring and sensor sessions are judged on their violations, whatever their length; an
    // empty session on nothing.
    tooLittle = 'the session holds no events.';
  }
  if (tooLittle) notes.push({ topic: 'little-data', message: `Not enough data: ${tooLittle}` });
  const hostSignals = f.acceptHost ? f.proctor.hostSignals() : null;
  if (!f.acceptHost && f.droppedHost > 0)
    notes.push({ topic: 'host-signals', message: `${f.droppedHost} signal events from the host page were refused by policy and not analysed.` });
  else if (hostSignals && hostSignals.length > 0)
    notes.push({
      topic: 'host-signals',
      message: `The host page sent ${hostSignals.map((s) => s.key).join(', ')}; they are shown as the host labels them and are not part of the integrity score.`,
    });
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
  return {
    format: ANALYSIS_FORMAT,
    metrics,
    flags,
    notes,
    score: tooLittle ? notEnoughData(tooLittle, flags) : scoreOf(flags),
    hostSignals: hostSignals && hostSignals.length ? hostSignals : null,
    thresholds: { ...f.th, pauseReportMs: [...f.th.pauseReportMs] },
    capabilities: { ...f.caps },
    notChecked: notChecked.map(({ detector, missing, partly }) => ({ detector, missing: [...missing], partly })),
  };
}
