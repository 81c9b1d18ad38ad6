import type { Rng } from './prng';
import type { Tape } from './tape';
import { makeParagraphs, someWords } from './text';
import { compose, hold, typeWord, type TypistProfile } from './writers';

/**
 * Genuine writers as varied as a real classroom's. Each population changes the typist drawn for
 * the session, or how the session is written, in the one way the research and classroom
 * experience say such writers differ; the analysis must not take any of them for dishonest.
 */

/** Pauses fall inside sentences (before a hard word, mid-clause), not at sentence starts. */
export function midSentencePauser(rng: Rng, p: TypistProfile): TypistProfile {
  return {
    ...p,
    sentencePause: rng.range(300, 900),
    paragraphPause: rng.range(800, 2000),
    midPauseRate: rng.range(0.08, 0.18),
    midPauseMs: rng.range(2500, 6000),
  };
}

/** Slow typists: a median key interval of 300 to 450 ms, so keys rarely overlap; thinking time grows with it. */
export function slowTypist(rng: Rng, p: TypistProfile): TypistProfile {
  const ikiMedian = rng.range(300, 450);
  return {
    ...p,
    ikiMedian,
    ikiSigma: rng.range(0.4, 0.6),
    wordPause: rng.range(500, 1000),
    sentencePause: rng.range(3000, 7000),
    paragraphPause: rng.range(5000, 12_000),
  };
}

/**
 * Second-language writers: many slips and corrections, hesitations inside words (spelling), words
 * rubbed out and replaced (searching for the right one), long pauses at sentence starts.
 */
export function secondLanguageWriter(rng: Rng, p: TypistProfile): TypistProfile {
  return {
    ...p,
    ikiMedian: rng.range(150, 260),
    typoRate: rng.range(0.07, 0.14),
    sentencePause: rng.range(2500, 6000),
    wordPause: rng.range(400, 900),
    wordRetryRate: rng.range(0.05, 0.12),
    midPauseRate: rng.range(0.03, 0.08),
    midPauseMs: rng.range(2000, 5000),
  };
}

/** Planners think for minutes before the first key and between paragraphs, then write steadily. */
export function planner(rng: Rng, tape: Tape, p: TypistProfile, paragraphs: number): void {
  tape.now += rng.range(120_000, 480_000);
  compose(tape, rng, { ...p, paragraphPause: rng.range(20_000, 90_000) }, { paragraphs });
}

/**
 * End revisers draft quickly (short pauses, little correction on the way) and then go back over
 * the whole text: words replaced, phrases added, sentences cut, at many places.
 */
export function endReviser(rng: Rng, tape: Tape, p: TypistProfile, paragraphs: number): void {
  const drafting = { ...p, typoRate: p.typoRate / 3, sentencePause: rng.range(1200, 2600) };
  compose(tape, rng, drafting, { paragraphs });
  const passes = rng.int(12, 25);
  for (let i = 0; i < passes; i++) {
    const doc = tape.doc;
    const at = doc.indexOf(' ', rng.int(0, Math.max(0, doc.length - 10)));
    if (at <= 0) continue;
    // Read, click into the text, think, change it.
    tape.click(rng.lognormal(4000, 0.6), at);
    const kind = rng.int(0, 2);
    if (kind === 0) {
      // Replace the word before the caret.
      const start = doc.lastIndexOf(' ', at - 1) + 1;
      for (let k = 0; k < at - start; k++) tape.backspace(k === 0 ? rng.lognormal(1500, 0.5) : rng.lognormal(110, 0.3), hold(rng, p));
      typeWord(tape, rng, p, someWords(rng, 1)[0]!, rng.lognormal(900, 0.5));
    } else if (kind === 1) {
      // Add a phrase.
      for (const w of someWords(rng, rng.int(2, 5))) {
        tape.typeChar(' ', rng.lognormal(p.ikiMedian * 2, 0.5), hold(rng, p));
        typeWord(tape, rng, p, w, rng.lognormal(p.wordPause * 1.5, 0.6));
      }
    } else {
      // Cut the next few words.
      const n = Math.min(tape.doc.length - tape.caret, rng.int(4, 20));
      if (n > 0) tape.selectDelete(rng.lognormal(1500, 0.5), tape.caret, tape.caret + n);
    }
    tape.click(rng.lognormal(1200, 0.5), tape.doc.length);
  }
}

/**
 * Assistive technology (an on-screen keyboard with word prediction, switch access): characters
 * arrive as input with no physical keys, at the scanning rhythm, and predicted words are inserted
 * whole by the software.
 */
export function assistiveWriter(rng: Rng, tape: Tape, paragraphs: number): void {
  const scan = rng.range(600, 1200);
  makeParagraphs(rng, paragraphs).forEach((sentences, pi) => {
    if (pi > 0) tape.typeChar('\n', rng.lognormal(scan * 4, 0.4), 0, false);
    sentences.forEach((s, si) => {
      s.split(' ').forEach((w, wi) => {
        if (wi > 0 || si > 0) tape.typeChar(' ', rng.lognormal(scan, 0.25), 0, false);
        const typed = rng.chance(0.4) ? Math.min(w.length, rng.int(1, 3)) : w.length;
        for (let i = 0; i < typed; i++) tape.typeChar(w[i]!, rng.lognormal(i === 0 && wi === 0 ? scan * 3 : scan, 0.25), 0, false);
        // The rest of the word comes from the prediction list.
        if (typed < w.length) tape.op((tape.now += rng.lognormal(scan * 1.5, 0.3)), tape.caret, 0, w.slice(typed), 'programmatic');
      });
    });
  });
}
