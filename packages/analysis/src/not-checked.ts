import type { Capabilities, CaptureSignal, DetectorName } from '@veritas/schema';

/** What each writing detector needs captured to run at all, and what it can run without (less precisely). */
const NEEDS: readonly { detector: DetectorName; required: readonly CaptureSignal[]; helpful: readonly CaptureSignal[]; without: string }[] = [
  {
    detector: 'external-paste',
    required: ['textChanges'],
    helpful: ['clipboard'],
    without: 'whether a paste came from inside the session was judged from the text alone (already in the document or just deleted)',
  },
  { detector: 'paste-share', required: ['textChanges'], helpful: ['clipboard'], without: 'pasted shares rest on pastes judged from the text alone' },
  { detector: 'transcription', required: ['textChanges'], helpful: [], without: '' },
  { detector: 'keyless-text', required: ['textChanges', 'keys'], helpful: [], without: '' },
  {
    detector: 'machine-regular',
    required: ['keys'],
    helpful: ['keyHolds'],
    without: 'only the intervals between keys were checked, not hold times or key overlap',
  },
  { detector: 'untrusted-input', required: ['trustedFlags'], helpful: [], without: '' },
  { detector: 'burst-after-return', required: ['textChanges', 'focus'], helpful: [], without: '' },
  { detector: 'prolonged-absence', required: ['focus'], helpful: [], without: '' },
];

const SIGNAL_NAME: Record<CaptureSignal, string> = {
  textChanges: 'text changes',
  keys: 'key presses',
  keyHolds: 'key hold times',
  clipboard: 'clipboard events',
  focus: 'leaving and returning to the page',
  selection: 'selections',
  trustedFlags: 'whether input came from a script',
};

export interface NotCheckedEntry {
  detector: DetectorName;
  missing: CaptureSignal[];
  partly: boolean;
  message: string;
}

/** The detectors the capabilities keep from running (partly: they ran without some signals), with a sentence each. */
export function notCheckedFor(caps: Capabilities): NotCheckedEntry[] {
  const out: NotCheckedEntry[] = [];
  for (const n of NEEDS) {
    const missing = n.required.filter((s) => !caps[s]);
    if (missing.length > 0) {
      out.push({
        detector: n.detector,
        missing,
        partly: false,
        message: `Not checked: ${n.detector}, because the source did not capture ${missing.map((s) => SIGNAL_NAME[s]).join(' or ')}.`,
      });
      continue;
    }
    const weaker = n.helpful.filter((s) => !caps[s]);
    if (weaker.length > 0)
      out.push({
        detector: n.detector,
        missing: weaker,
        partly: true,
        message: `Checked in part: ${n.detector}, because the source did not capture ${weaker.map((s) => SIGNAL_NAME[s]).join(' or ')}: ${n.without}.`,
      });
  }
  return out;
}
