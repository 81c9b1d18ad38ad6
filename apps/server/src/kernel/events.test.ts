import { describe, expect, it } from 'vitest';
import { createEventBus } from './events';
import { PUBLIC_SCOPE } from './scope';

describe('event bus', () => {
  it('tells each subscriber in order, awaits them, and stops telling one that unsubscribed', async () => {
    const bus = createEventBus();
    const heard: string[] = [];
    bus.on('session.ended', async (e) => {
      await new Promise((r) => setImmediate(r));
      heard.push(`a:${e.sessionId}`);
    });
    const off = bus.on('session.ended', (e) => void heard.push(`b:${e.sessionId}`));
    bus.on('session.created', () => void heard.push('never'));
    await bus.publish('session.ended', { sessionId: 's1', scope: PUBLIC_SCOPE });
    off();
    await bus.publish('session.ended', { sessionId: 's2', scope: PUBLIC_SCOPE });
    expect(heard).toEqual(['a:s1', 'b:s1', 'a:s2']);
  });

  it('fails the publish when a subscriber throws', async () => {
    const bus = createEventBus();
    bus.on('bundle.imported', () => {
      throw new Error('queue away');
    });
    await expect(bus.publish('bundle.imported', { sessionId: 's', scope: PUBLIC_SCOPE, created: true })).rejects.toThrow('queue away');
  });
});
