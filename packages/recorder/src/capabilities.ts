import type { Capabilities } from '@veritas/schema';

/**
 * What this recorder captures, declared in every session it creates and bundle it exports, so the
 * analysis never reads a missing signal as evidence. With an editor attached it captures every
 * signal: text changes, each key with its hold time, clipboard hashes, focus and the page's
 * visibility, selections, and the input events' isTrusted.
 */
export const EDITOR_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  textChanges: true,
  keys: true,
  keyHolds: true,
  clipboard: true,
  focus: true,
  selection: true,
  trustedFlags: true,
});

/** Without an editor (proctoring, sensors, generic) only the page's visibility is captured; the host adds its own events. */
export const PAGE_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  textChanges: false,
  keys: false,
  keyHolds: false,
  clipboard: false,
  focus: true,
  selection: false,
  trustedFlags: false,
});

export function recorderCapabilities(hasEditor: boolean): Capabilities {
  return { ...(hasEditor ? EDITOR_CAPABILITIES : PAGE_CAPABILITIES) };
}
