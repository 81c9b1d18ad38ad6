import type { VeritasEvent } from '@veritas/schema';
import type { Scope } from './scope';

/**
 * What happened, told once by the module it happened in. Other modules subscribe instead of being
 * called: analysis starts on session.ended and bundle.imported, live analysis follows batch.committed,
 * the live fan-out (modules/live) tells the hub of commits and ends. Later: webhooks subscribe here too.
 */
export interface DomainEvents {
  'session.created': { sessionId: string; scope: Scope };
  /** Events stored durably by one ingest commit, per session, in seq order. Told only after the commit. */
  'batch.committed': { sessionId: string; scope: Scope; events: VeritasEvent[] };
  'session.ended': { sessionId: string; scope: Scope };
  /** A bundle stored as an ended session (`created` false: the same bundle was already stored). */
  'bundle.imported': { sessionId: string; scope: Scope; created: boolean };
  'analysis.done': { sessionId: string; scope: Scope; version: string };
  /**
   * New live alerts stored for a session (already-stored ones are not told again), as stored: the exam
   * rooms show them without reading them back (bench/README.md, live, "2,000 students over the ingest socket, and the alert told as stored").
   */
  'alert.raised': {
    sessionId: string;
    scope: Scope;
    alerts: { id: string; detector: string; severity: string; message: string; /** When it was stored (ISO). */ at: string }[];
  };
  /** Review flags a consolidation stored or grew (modules/review), with what a summary needs: never the evidence itself. */
  'flag.raised': { sessionId: string; scope: Scope; flags: { id: string; kind: string; severity: string }[] };
  /** A reviewer's decision on a flag, told after it is committed. */
  'flag.reviewed': { sessionId: string; scope: Scope; flagId: string; kind: string; decision: string; from: string; to: string; decisionId: string };
  /** A student submitted their attempt (told after the commit; its session's session.ended follows). */
  'attempt.submitted': { attemptId: string; examId: string; sessionId: string | null; scope: Scope };
  /** An attempt was graded or re-graded. */
  'attempt.graded': { attemptId: string; examId: string; score: number; scope: Scope };
  /** An exam's results were released to its students (told after the commit; not told again while they stay released). */
  'exam.results.released': { examId: string; scope: Scope };
}

export type DomainEventName = keyof DomainEvents;

export type Subscriber<K extends DomainEventName> = (event: DomainEvents[K]) => void | Promise<void>;

export interface EventBus {
  /** Subscribes; returns the unsubscribe function. */
  on<K extends DomainEventName>(name: K, subscriber: Subscriber<K>): () => void;
  /**
   * Tells every subscriber, one after the other, and resolves when all are done; a subscriber that
   * throws fails the publish (the caller answers with that error, as it did when it called directly).
   */
  publish<K extends DomainEventName>(name: K, event: DomainEvents[K]): Promise<void>;
}

/** The in-process bus: one per app, typed by DomainEvents. */
export function createEventBus(): EventBus {
  const subscribers = new Map<DomainEventName, Subscriber<never>[]>();
  return {
    on(name, subscriber) {
      const list = subscribers.get(name) ?? subscribers.set(name, []).get(name)!;
      list.push(subscriber as Subscriber<never>);
      return () => {
        const i = list.indexOf(subscriber as Subscriber<never>);
        if (i >= 0) list.splice(i, 1);
      };
    },
    async publish(name, event) {
      for (const s of [...(subscribers.get(name) ?? [])]) await (s as Subscriber<typeof name>)(event);
    },
  };
}
