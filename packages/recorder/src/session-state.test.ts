import { describe, expect, it } from 'vitest';
import { capabilitiesOf, CAPTURE_SIGNALS, type Capabilities } from '@veritas/schema';
import { EDITOR_CAPABILITIES, PAGE_CAPABILITIES } from './capabilities';
import { newSessionState } from './session-state';

describe('the recorder declares what it captures', () => {
  it('with an editor: every signal, in the session meta it creates and exports, whatever the host passed', () => {
    const s = newSessionState('k', { meta: { title: 'Essay', capabilities: { keys: false } } }, true);
    expect(s.meta).toEqual({ title: 'Essay', capabilities: EDITOR_CAPABILITIES });
    for (const signal of CAPTURE_SIGNALS) expect(s.meta!.capabilities![signal]).toBe(true);
  });

  it('without an editor: only the page visibility (focus); no text, keys or clipboard', () => {
    const s = newSessionState('k', { kind: 'proctoring' }, false);
    expect(s.meta!.capabilities).toEqual(PAGE_CAPABILITIES);
    expect(capabilitiesOf(s.meta!.capabilities as Partial<Capabilities>)).toMatchObject({ textChanges: false, keys: false, clipboard: false, focus: true });
  });
});
