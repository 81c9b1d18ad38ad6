import { TEXT_ONLY, type Capabilities, type SessionKind, type VeritasEvent } from '@veritas/schema';
import { Rng } from './prng';
import { Tape } from './tape';
import { joinParagraphs, makeParagraphs } from './text';
import { assistiveWriter, endReviser, midSentencePauser, planner, secondLanguageWriter, slowTypist } from './populations';
import { autotype, compose, dictate, drawTypist, hold, imeCompose, pasteExternal, transcribe, typeWord, type AutoVariant, type TypistProfile } from './writers';

export const SIM_KINDS = [
  'genuine',
  'mid-sentence-pauser',
  'slow-typist',
  'second-language',
  'planner',
  'end-reviser',
  'copy',
  'paste',
  'autotyper',
  'mixed',
  'dictation',
  'ime',
  'assistive',
  'text-only',
  'proctoring',
  'proctoring-violations',
  'sensor',
] as const;
export type SimKind = (typeof SIM_KINDS)[number];

/** Salts the seed per kind; new kinds go at the end, so a kind's sessions never change when kinds are added. */
const SEED_SALT: readonly SimKind[] = [
  'genuine',
  'copy',
  'paste',
  'autotyper',
  'mixed',
  'dictation',
  'ime',
  'proctoring',
  'proctoring-violations',
  'sensor',
  'mid-sentence-pauser',
  'slow-typist',
  'second-language',
  'planner',
  'end-reviser',
  'assistive',
  'text-only',
];

/** Kinds that depart from honest, unaided writing: what the detectors are meant to catch. */
export const DISHONEST_KINDS: readonly SimKind[] = ['copy', 'paste', 'autotyper', 'mixed'];

/** Genuine writers composing at a keyboard, in the populations a classroom has. */
export const GENUINE_KINDS: readonly SimKind[] = ['genuine', 'mid-sentence-pauser', 'slow-typist', 'second-language', 'planner', 'end-reviser'];

/** Honest writing through another input method or source: never pasting, automation or keyless typing. */
export const INPUT_METHOD_KINDS: readonly SimKind[] = ['dictation', 'ime', 'assistive', 'text-only'];

export interface SimOptions {
  /** Paragraphs of writing (default 3 to 5, drawn from the seed). */
  paragraphs?: number;
  /** Auto-typer variant (default drawn from the seed). */
  autoVariant?: AutoVariant;
  /** Length of a proctoring or sensor session in ms (default 10 to 20 minutes, 60 to 120 s for sensors). */
  durationMs?: number;
  /** Overrides of the drawn typist (e.g. a fluent writer's short sentence pauses), for stress tests. */
  typist?: Partial<TypistProfile>;
  /** Copy-typing: chance that the copier also pauses (looks at the source) at a sentence end. */
  copySentencePause?: number;
}

export interface SimSession {
  kind: SimKind;
  seed: number;
  sessionKind: SessionKind;
  events: VeritasEvent[];
  /** The document at the end: what the replay must rebuild and the analysis measures. */
  finalText: string;
  /** What really happened, for tests and the bench (never visible to the analysis). */
  truth: { dishonest: boolean; variant?: string; description: string };
  /** What the session's source declares, as a bundle's meta would: its capabilities, an accommodation. */
  declared: { capabilities?: Partial<Capabilities>; assistiveTechnology?: boolean };
}

function start(tape: Tape): void {
  tape.emit(0, 'consent', { policy: 'veritas-demo-v1', accepted: true });
  tape.emit(1, 'focus', { state: 'focus' });
  tape.now = 2;
}

function writing(kind: SimKind, seed: number, rng: Rng, opts: SimOptions): SimSession {
  const tape = new Tape();
  start(tape);
  const p = { ...drawTypist(rng), ...opts.typist };
  const paragraphs = opts.paragraphs ?? rng.int(3, 5);
  let dishonest = false;
  let variant: string | undefined;
  let description: string;
  let declared: SimSession['declared'] = {};
  switch (kind) {
    case 'genuine':
      compose(tape, rng, p, { paragraphs });
      description = 'composed in the page, with pauses, slips and revisions';
      break;
    case 'mid-sentence-pauser':
      compose(tape, rng, midSentencePauser(rng, p), { paragraphs });
      description = 'composed, thinking inside sentences rather than at their starts';
      break;
    case 'slow-typist':
      compose(tape, rng, slowTypist(rng, p), { paragraphs });
      description = 'composed by a slow typist (median key interval 300–450 ms)';
      break;
    case 'second-language':
      compose(tape, rng, secondLanguageWriter(rng, p), { paragraphs });
      description = 'composed in a second language: many slips, words sought and replaced';
      break;
    case 'planner':
      planner(rng, tape, p, paragraphs);
      description = 'planned for minutes before starting and between paragraphs';
      break;
    case 'end-reviser':
      endReviser(rng, tape, p, paragraphs);
      description = 'drafted quickly, then revised throughout at the end';
      break;
    case 'assistive':
      assistiveWriter(rng, tape, paragraphs);
      declared = { assistiveTechnology: true };
      description = 'written with an on-screen keyboard and word prediction (an accommodation)';
      break;
    case 'text-only':
      compose(tape, rng, p, { paragraphs });
      declared = { capabilities: { ...TEXT_ONLY } };
      description = 'composed, imported from a logger that recorded only the text changes';
      break;
    case 'copy': {
      transcribe(tape, rng, p, joinParagraphs(makeParagraphs(rng, paragraphs)), opts.copySentencePause ?? 0);
      dishonest = true;
      description = 'copy-typed from a source beside the page';
      break;
    }
    case 'paste': {
      compose(tape, rng, p, { paragraphs: 1 });
      const n = rng.int(2, 4);
      for (let i = 0; i < n; i++) {
        pasteExternal(tape, rng, rng.int(1, 2), rng.chance(0.6) ? rng.range(8000, 90_000) : 0);
        if (rng.chance(0.5)) {
          tape.typeChar('\n', rng.lognormal(3000, 0.5), hold(rng, p));
          typeWord(tape, rng, p, 'However', rng.lognormal(2500, 0.5));
        }
      }
      dishonest = true;
      description = 'a short opening written, most of the text pasted from outside';
      break;
    }
    case 'autotyper': {
      const v: AutoVariant = opts.autoVariant ?? rng.pick(['untrusted', 'keyless', 'scripted'] as const);
      autotype(tape, rng, joinParagraphs(makeParagraphs(rng, paragraphs)), v);
      dishonest = true;
      variant = v;
      description = `an auto-typer played a prepared text (${v})`;
      break;
    }
    case 'mixed': {
      const pasteAt = rng.int(0, Math.max(0, paragraphs - 2));
      compose(tape, rng, p, {
        paragraphs,
        between: (pi) => {
          if (pi === pasteAt) pasteExternal(tape, rng, 1, rng.chance(0.5) ? rng.range(15_000, 120_000) : 0);
        },
      });
      dishonest = true;
      description = 'mostly composed, with a passage pasted from outside';
      break;
    }
    case 'dictation':
      dictate(tape, rng, p, paragraphs);
      description = 'dictated by speech recognition, a few words fixed by keyboard';
      break;
    case 'ime':
      imeCompose(tape, rng, p, paragraphs * 4);
      description = 'composed in Japanese through an IME';
      break;
    default:
      throw new RangeError(`not a writing kind: ${kind}`);
  }
  let events = tape.events();
  // A text-only source has nothing but the text changes.
  if (kind === 'text-only') events = events.filter((e) => e.type === 'text.op').map((e, seq) => ({ ...e, seq }));
  return { kind, seed, sessionKind: 'writing', events, finalText: tape.doc, truth: { dishonest, variant, description }, declared };
}

function proctoring(kind: SimKind, seed: number, rng: Rng, opts: SimOptions): SimSession {
  const tape = new Tape();
  tape.emit(0, 'consent', { policy: 'veritas-proctoring-v1', accepted: true });
  const duration = opts.durationMs ?? rng.range(600_000, 1_200_000);
  const withViolations = kind === 'proctoring-violations';
  let confusion = rng.range(0.1, 0.4);
  let engagement = rng.range(0.5, 0.9);
  let faces = 1;
  let episodeEnd = 0;
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  for (let t = 1000; t < duration; t += rng.range(900, 1100)) {
    if (t >= episodeEnd) {
      faces = 1;
      const r = rng.next();
      if (withViolations && r < 0.01) {
        faces = 2;
        episodeEnd = t + rng.range(8000, 60_000);
        tape.emit(t + 1, 'violation', { kind: 'multiple_faces', confidence: Math.round(rng.range(0.7, 0.99) * 100) / 100 });
      } else if (r < (withViolations ? 0.02 : 0.003)) {
        faces = 0;
        const len = withViolations ? rng.range(5000, 90_000) : rng.range(1000, 4000);
        episodeEnd = t + len;
        if (withViolations) tape.emit(t + 1, 'violation', { kind: len > 30_000 ? 'prolonged_absence' : 'no_face', confidence: 0.9 });
      }
    }
    confusion = clamp(confusion + rng.normal() * 0.04);
    engagement = clamp(engagement + rng.normal() * 0.04);
    tape.emit(t, 'metrics', {
      values: { confusion: Math.round(confusion * 1000) / 1000, engagement: Math.round(engagement * 1000) / 1000, faceDetected: faces > 0, faces },
      source: 'host-webcam-model',
    });
  }
  const truth = {
    dishonest: withViolations,
    description: withViolations ? 'webcam proctoring with a second face and absences' : 'webcam proctoring, nothing unusual',
  };
  return { kind, seed, sessionKind: 'proctoring', events: tape.events(), finalText: '', truth, declared: {} };
}

function sensor(kind: SimKind, seed: number, rng: Rng, opts: SimOptions): SimSession {
  const tape = new Tape();
  const duration = opts.durationMs ?? rng.range(60_000, 120_000);
  const hz = rng.pick([50, 60, 100]);
  const period = 1000 / hz;
  const kinds = ['accel', 'gyro'];
  let t = 0;
  let rows: number[][] = [];
  let gaps = 0;
  while (t < duration) {
    t += period * rng.range(0.9, 1.1);
    if (rng.chance(0.0015)) {
      t += rng.range(300, 3000);
      gaps++;
    }
    const tt = Math.round(t * 10) / 10;
    rows.push([tt, Math.round(rng.normal() * 1000) / 1000, Math.round(rng.normal() * 1000) / 1000, Math.round((9.81 + rng.normal() * 0.1) * 1000) / 1000]);
    if (rows.length >= hz / 2) {
      for (const k of kinds) tape.emit(tt, 'sensor', { kind: k, samples: k === 'accel' ? rows : rows.map((r) => [r[0]!, r[2]!, r[1]!, r[3]! - 9.81]) });
      rows = [];
    }
  }
  return {
    kind,
    seed,
    sessionKind: 'sensor',
    events: tape.events(),
    finalText: '',
    truth: { dishonest: false, variant: `${hz}Hz, ${gaps} gaps`, description: 'phone accelerometer and gyroscope' },
    declared: {},
  };
}

/** A realistic v1 session of the given kind, the same for the same seed. */
export function simulate(kind: SimKind, seed: number, opts: SimOptions = {}): SimSession {
  const rng = new Rng(seed * 7919 + SEED_SALT.indexOf(kind));
  if (kind === 'proctoring' || kind === 'proctoring-violations') return proctoring(kind, seed, rng, opts);
  if (kind === 'sensor') return sensor(kind, seed, rng, opts);
  return writing(kind, seed, rng, opts);
}
