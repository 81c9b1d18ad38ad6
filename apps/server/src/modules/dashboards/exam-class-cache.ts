import type { ClassEntry, ExamStatsRow } from './exam-analytics.repository';

/** An exam's class-wide figures and ranking, as computed at one version of the exam's dashboard rows. */
export interface ExamClass {
  stats: ExamStatsRow;
  order: ClassEntry[];
}

export interface ExamClassCacheOptions {
  /** Exams kept (least recently read go first): about 100 KB each for a class of 1,000. */
  maxExams: number;
  /**
   * How long figures are kept even at an unchanged version. The version follows every change to the
   * exam's attempts; a student renamed moves in the breakdown's order only after this.
   */
  maxAgeMs: number;
  now?: () => number;
}

export interface ExamClassCache {
  get(tenantId: string, examId: string, version: string): ExamClass | undefined;
  set(tenantId: string, examId: string, version: string, value: ExamClass): void;
}

/**
 * Class figures per exam, in this process (ADR 0018, "Class figures cached per exam"). An entry is
 * used only while the exam's version (schema step 0022, read on every request) is still the one it
 * was computed at, so a read never shows figures older than the last committed change and every
 * instance of the server can keep its own. Computing them is most of an analytics read: the
 * distributions and the window functions over the whole class.
 */
export function createExamClassCache({ maxExams, maxAgeMs, now = Date.now }: ExamClassCacheOptions): ExamClassCache {
  const entries = new Map<string, { version: string; at: number; value: ExamClass }>();
  const keyOf = (tenantId: string, examId: string) => `${tenantId}\u0000${examId}`;
  return {
    get(tenantId, examId, version) {
      const key = keyOf(tenantId, examId);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.version !== version || now() - entry.at > maxAgeMs) {
        entries.delete(key);
        return undefined;
      }
      // Most recently read last: a Map keeps insertion order, so the first key is the one to evict.
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    set(tenantId, examId, version, value) {
      const key = keyOf(tenantId, examId);
      entries.delete(key);
      entries.set(key, { version, at: now(), value });
      while (entries.size > maxExams) entries.delete(entries.keys().next().value!);
    },
  };
}
