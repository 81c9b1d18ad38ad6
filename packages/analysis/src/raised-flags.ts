import type { Flag } from './types';

/**
 * The flags the fold's parts decide during the fold, in the order they were decided. Two lists,
 * because a flag and its live alert need not go out together: a run of keyless text alerts the
 * moment it crosses the threshold but becomes a flag only when the run ends (or at the end).
 */
export class RaisedFlags {
  /** Flags decided at an event; the result adds the session-level and still-open ones. */
  readonly flags: Flag[] = [];
  /** Live alerts: the flags above as they are raised, plus early warnings for session-level detectors. */
  readonly alerts: Flag[] = [];

  /** A flag decided now, and alerted now. */
  raise(f: Flag): void {
    this.flags.push(f);
    this.alerts.push(f);
  }

  /** A flag whose alert went out earlier (or never will). */
  record(f: Flag): void {
    this.flags.push(f);
  }

  /** An alert whose flag, if any, is decided later. */
  warn(f: Flag): void {
    this.alerts.push(f);
  }
}
