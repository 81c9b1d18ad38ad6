import type { Rng } from './prng';
import { textHash } from './prng';
import { Tape } from './tape';
import { cjkSentence, joinParagraphs, makeParagraphs, someWords } from './text';

/** How one simulated person types: drawn per session so sessions differ like people do. */
export interface TypistProfile {
  ikiMedian: number;
  ikiSigma: number;
  holdMedian: number;
  holdSigma: number;
  wordPause: number;
  sentencePause: number;
  paragraphPause: number;
  typoRate: number;
  /** Chance, per word inside a sentence, of a long pause before it (mid-sentence thinking); 0 for most writers. */
  midPauseRate?: number;
  midPauseMs?: number;
  /** Chance, per word, that the writer rubs it out and types another (searching for a word). */
  wordRetryRate?: number;
}

export function drawTypist(rng: Rng): TypistProfile {
  return {
    ikiMedian: rng.range(95, 165),
    ikiSigma: rng.range(0.35, 0.55),
    holdMedian: rng.range(100, 140),
    holdSigma: rng.range(0.18, 0.3),
    wordPause: rng.range(220, 480),
    sentencePause: rng.range(1500, 4200),
    paragraphPause: rng.range(3500, 9000),
    typoRate: rng.range(0.015, 0.05),
  };
}

export function hold(rng: Rng, p: TypistProfile): number {
  return rng.lognormal(p.holdMedian, p.holdSigma);
}

/** Types a word char by char; `first` is the interval before its first key (where the pause falls). */
export function typeWord(tape: Tape, rng: Rng, p: TypistProfile, word: string, first: number, typoRate = p.typoRate): void {
  for (let i = 0; i < word.length; i++) {
    const gap = i === 0 ? first : rng.lognormal(p.ikiMedian, p.ikiSigma);
    if (i > 0 && rng.chance(typoRate)) {
      // A slip: one or two wrong letters, noticed after a beat, rubbed out, then the right one.
      const wrong = rng.int(1, 2);
      tape.typeChar(String.fromCharCode(97 + rng.int(0, 25)), gap, hold(rng, p));
      if (wrong === 2) tape.typeChar(String.fromCharCode(97 + rng.int(0, 25)), rng.lognormal(p.ikiMedian, p.ikiSigma), hold(rng, p));
      for (let k = 0; k < wrong; k++) tape.backspace(k === 0 ? rng.lognormal(450, 0.4) : rng.lognormal(110, 0.3), hold(rng, p));
      tape.typeChar(word[i]!, rng.lognormal(p.ikiMedian * 1.2, p.ikiSigma), hold(rng, p));
    } else {
      tape.typeChar(word[i]!, gap, hold(rng, p));
    }
  }
}

function rubOut(tape: Tape, rng: Rng, p: TypistProfile, chars: number): void {
  for (let k = 0; k < chars; k++) tape.backspace(k === 0 ? rng.lognormal(1400, 0.5) : rng.lognormal(95, 0.3), hold(rng, p));
}

export interface ComposeOptions {
  paragraphs: number;
  /** Called between paragraphs, for kinds that mix composing with something else. */
  between?: (paragraph: number) => void;
}

/**
 * Genuine composition: the pause gradient of the research (short within words, longer before
 * words, longer still before sentences and paragraphs), slips and their repair, sentences
 * rewritten, words inserted earlier in the text, short departures, an occasional internal copy.
 */
export function compose(tape: Tape, rng: Rng, p: TypistProfile, opts: ComposeOptions): void {
  const paras = makeParagraphs(rng, opts.paragraphs);
  let copied: { hash: string; text: string } | null = null;
  paras.forEach((sentences, pi) => {
    if (pi > 0) tape.typeChar('\n', rng.lognormal(p.sentencePause * 0.6, 0.5), hold(rng, p));
    sentences.forEach((s, si) => {
      const words = s.split(' ');
      words.forEach((w, wi) => {
        let first: number;
        if (wi === 0) first = si === 0 ? rng.lognormal(p.paragraphPause, 0.6) : rng.lognormal(p.sentencePause, 0.6);
        else first = p.midPauseRate && rng.chance(p.midPauseRate) ? rng.lognormal(p.midPauseMs ?? 3000, 0.5) : rng.lognormal(p.wordPause, 0.6);
        if (wi > 0 || si > 0) tape.typeChar(' ', rng.lognormal(p.ikiMedian * 1.1, p.ikiSigma), hold(rng, p));
        if (p.wordRetryRate && w.length > 2 && rng.chance(p.wordRetryRate)) {
          // A word tried and given up: typed, rubbed out after a moment, another one sought.
          const tried = someWords(rng, 1)[0]!;
          typeWord(tape, rng, p, tried, first);
          for (let k = 0; k < tried.length; k++) tape.backspace(k === 0 ? rng.lognormal(1200, 0.5) : rng.lognormal(110, 0.3), hold(rng, p));
          first = rng.lognormal(2500, 0.5);
        }
        typeWord(tape, rng, p, w, first);
      });
      // Second thoughts: rub out the end of the sentence and write it again differently.
      if (rng.chance(0.12) && words.length > 5) {
        const tail = words.slice(-2).join(' ');
        rubOut(tape, rng, p, tail.length + 1);
        const repl = someWords(rng, 2);
        repl.forEach((w, i) => {
          tape.typeChar(' ', rng.lognormal(i === 0 ? 900 : p.ikiMedian * 1.1, 0.5), hold(rng, p));
          typeWord(tape, rng, p, w, rng.lognormal(p.wordPause, 0.6));
        });
        tape.typeChar('.', rng.lognormal(p.ikiMedian, p.ikiSigma), hold(rng, p));
      }
    });
    // Going back: click into earlier text, add a word, click back to the end.
    if (rng.chance(0.35) && tape.doc.length > 60) {
      const at = tape.doc.indexOf(' ', rng.int(0, tape.doc.length - 20));
      if (at > 0) {
        tape.click(rng.lognormal(2500, 0.5), at);
        tape.typeChar(' ', rng.lognormal(800, 0.5), hold(rng, p));
        typeWord(tape, rng, p, someWords(rng, 1)[0]!, rng.lognormal(p.ikiMedian, p.ikiSigma));
        tape.click(rng.lognormal(1200, 0.4), tape.doc.length);
      }
    }
    if (rng.chance(0.2) && tape.doc.length > 80) {
      const from = tape.doc.lastIndexOf(' ', tape.doc.length - 30) + 1;
      const end = tape.doc.indexOf(' ', from + rng.int(8, 20));
      const text = tape.doc.slice(from, end > from ? end : tape.doc.length);
      copied = { hash: tape.copy(rng.lognormal(2000, 0.4), from, from + text.length), text };
      tape.click(rng.lognormal(600, 0.4), tape.doc.length);
    }
    if (copied && rng.chance(0.5)) {
      tape.typeChar(' ', rng.lognormal(1500, 0.4), hold(rng, p));
      tape.paste(rng.lognormal(700, 0.4), copied.text, copied.hash);
      copied = null;
    }
    if (rng.chance(0.18)) tape.away(rng.lognormal(1500, 0.5), rng.range(3000, 40_000));
    opts.between?.(pi);
  });
}

/**
 * Copy-typing from a source beside the page: steady intervals, few slips, look-back pauses where
 * the eye returns to the source (every few words, wherever that falls), none tied to sentences.
 */
export function transcribe(tape: Tape, rng: Rng, p: TypistProfile, source: string, sentencePause = 0): void {
  const ikiMedian = rng.range(115, 185);
  const sigma = rng.range(0.28, 0.42);
  let nextLook = rng.int(12, 45);
  for (let i = 0; i < source.length; i++) {
    let gap = rng.lognormal(source[i] === ' ' || source[i - 1] === ' ' ? ikiMedian * 1.15 : ikiMedian, sigma);
    if (--nextLook <= 0 || (sentencePause > 0 && i > 1 && source[i - 1] === ' ' && source[i - 2] === '.' && rng.chance(sentencePause))) {
      gap += rng.lognormal(900, 0.55);
      nextLook = rng.int(12, 45);
    }
    if (rng.chance(0.006) && source[i] !== '\n') {
      tape.typeChar(String.fromCharCode(97 + rng.int(0, 25)), gap, hold(rng, p));
      tape.backspace(rng.lognormal(380, 0.4), hold(rng, p));
      gap = rng.lognormal(ikiMedian, sigma);
    }
    tape.typeChar(source[i]!, gap, hold(rng, p));
  }
}

export type AutoVariant = 'untrusted' | 'keyless' | 'scripted';

/** An auto-typer playing `source` into the page in one of three ways. */
export function autotype(tape: Tape, rng: Rng, source: string, variant: AutoVariant): void {
  const base = rng.range(45, 140);
  const jitter = rng.range(0.05, 0.25) * base;
  const holdMs = Math.min(rng.range(20, 60), 0.6 * (base - jitter));
  if (variant === 'untrusted') tape.trusted = false;
  for (let i = 0; i < source.length; i++) {
    let gap = base + rng.range(-jitter, jitter);
    if (variant === 'scripted' && rng.chance(0.01)) gap += rng.range(300, 1500);
    const withKey = variant !== 'keyless';
    const h = variant === 'scripted' ? holdMs + rng.range(-0.5, 0.5) : holdMs;
    tape.typeChar(source[i]!, gap, h, withKey);
  }
  tape.trusted = undefined;
}

/** Dictation: phrases arrive whole, with no key presses; the speaker fixes a word now and then by keyboard. */
export function dictate(tape: Tape, rng: Rng, p: TypistProfile, paragraphs: number): void {
  const paras = makeParagraphs(rng, paragraphs);
  paras.forEach((sentences, pi) => {
    if (pi > 0) tape.op((tape.now += rng.lognormal(4000, 0.5)), tape.caret, 0, '\n', 'dictation');
    sentences.forEach((s) => {
      const words = s.split(' ');
      let i = 0;
      while (i < words.length) {
        const n = Math.min(words.length - i, rng.int(2, 7));
        const lead = tape.doc.length > 0 && !tape.doc.endsWith('\n') ? ' ' : '';
        const phrase = lead + words.slice(i, i + n).join(' ');
        tape.now += i === 0 ? rng.lognormal(3500, 0.5) : rng.lognormal(1400, 0.5);
        tape.op(tape.now, tape.caret, 0, phrase, 'dictation');
        i += n;
      }
      if (rng.chance(0.2)) {
        // A misheard word corrected by keyboard.
        const w = someWords(rng, 1)[0]!;
        for (let k = 0; k < 4 && tape.caret > 0; k++) tape.backspace(k === 0 ? rng.lognormal(1500, 0.4) : rng.lognormal(110, 0.3), hold(rng, p));
        typeWord(tape, rng, p, w, rng.lognormal(500, 0.4), 0);
        tape.typeChar('.', rng.lognormal(p.ikiMedian, p.ikiSigma), hold(rng, p));
      }
    });
  });
}

/** IME composition (Japanese): each key updates the composition string, a final key commits it. */
export function imeCompose(tape: Tape, rng: Rng, p: TypistProfile, sentences: number): void {
  for (let s = 0; s < sentences; s++) {
    const words = cjkSentence(rng);
    words.forEach((w, wi) => {
      const start = tape.caret;
      let comp = '';
      const keys = w.length * 2;
      for (let k = 0; k < keys; k++) {
        tape.now += k === 0 ? (wi === 0 ? rng.lognormal(p.sentencePause, 0.6) : rng.lognormal(p.wordPause * 1.5, 0.5)) : rng.lognormal(p.ikiMedian, p.ikiSigma);
        const next = w.slice(0, Math.ceil(((k + 1) / keys) * w.length));
        tape.op(tape.now, start, comp.length, next, 'ime');
        tape.key(tape.now, 'other', hold(rng, p));
        comp = next;
      }
      tape.now += rng.lognormal(300, 0.4);
      tape.key(tape.now, 'space', hold(rng, p));
      tape.op(tape.now + 2, start, comp.length, w, 'ime');
      tape.now += 2;
    });
    tape.now += rng.lognormal(p.ikiMedian, p.ikiSigma);
    tape.op(tape.now, tape.caret, 0, '。', 'ime');
    tape.key(tape.now, 'other', hold(rng, p));
  }
}

/** External text pasted in: its hash matches no copy made in the session. */
export function pasteExternal(tape: Tape, rng: Rng, paragraphs: number, afterAwayMs = 0): string {
  const text = (tape.doc.length > 0 && !tape.doc.endsWith('\n') ? '\n' : '') + joinParagraphs(makeParagraphs(rng, paragraphs, 2, 4));
  if (afterAwayMs > 0) tape.away(rng.lognormal(1500, 0.4), afterAwayMs);
  tape.paste(rng.lognormal(afterAwayMs > 0 ? 1200 : 3000, 0.4), text, textHash(`external:${text}`));
  return text;
}
