import { Type, type Static } from '@sinclair/typebox';

/**
 * What a session's source captures. A signal that was not captured is not evidence of anything:
 * the analysis checks only what is declared here, and says what it could not check.
 */
export const CAPTURE_SIGNALS = ['textChanges', 'keys', 'keyHolds', 'clipboard', 'focus', 'selection', 'trustedFlags'] as const;
export type CaptureSignal = (typeof CAPTURE_SIGNALS)[number];

const signal = (description: string) => Type.Boolean({ description });

export const Capabilities = Type.Object(
  {
    textChanges: signal('text.op events: every change to the text'),
    keys: signal('key events: a key event for every key pressed in the editor'),
    keyHolds: signal('key events carry real press-to-release hold times'),
    clipboard: signal('clipboard events for copy, cut and paste (with hashes)'),
    focus: signal('focus and visibility events: leaving and returning to the page'),
    selection: signal('selection events: caret moves and selections'),
    trustedFlags: signal('events carry `trusted: false` when a script made them (isTrusted)'),
  },
  { additionalProperties: false, description: 'What the source of a session captures; absent signals are not evidence' },
);
export type Capabilities = Static<typeof Capabilities>;

/**
 * What a session or bundle that declares nothing is taken to capture: everything, because until
 * sources declared their capabilities every session came from the Veritas recorder, which
 * captures all of these. An import from another tool must declare what it lacks.
 */
export const FULL_CAPTURE: Readonly<Capabilities> = Object.freeze({
  textChanges: true,
  keys: true,
  keyHolds: true,
  clipboard: true,
  focus: true,
  selection: true,
  trustedFlags: true,
});

/** Text changes only: an import from a logger that recorded the text and nothing else. */
export const TEXT_ONLY: Readonly<Capabilities> = Object.freeze({
  textChanges: true,
  keys: false,
  keyHolds: false,
  clipboard: false,
  focus: false,
  selection: false,
  trustedFlags: false,
});

/** Declared capabilities completed with the default for what is not declared. */
export function capabilitiesOf(declared: Partial<Capabilities> | undefined): Capabilities {
  return { ...FULL_CAPTURE, ...declared };
}
