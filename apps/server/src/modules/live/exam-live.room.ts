import type { Db } from '../../platform/db/database';
import type { HubMessage, LiveHub, Unsubscribe } from '../../platform/hub/live-hub';
import { tenantScope } from '../../kernel/scope';
import { eventPages } from '../sessions';
import { criticalAlerts, examHostSignals, examRoster, type CriticalAlertRow, type RosterRow } from './exam-live.repository';
import { slim, SLIM_TYPES, StudentFold, type SlimEvent } from './exam-live.fold';
import type { LiveAlert, LiveStudent, StudentsMessage } from './exam-live.schemas';
import { jitteredEvery } from './jittered-every';

/** The hub channel of an exam's live supervision: its students' commits (slimmed), its critical alerts and their acknowledgements. */
export const examChannel = (examId: string): string => `exam:${examId}`;

export type ExamHubMessage =
  | { k: 'batch'; sessionId: string; firstSeq: number; lastSeq: number; events: SlimEvent[] }
  | { k: 'alerts'; alerts: LiveAlert[] }
  | { k: 'ack'; alertId: string; by: { id: string; name: string }; at: string };

/** Open critical alerts an exam's room keeps (and re-sends to a socket that joins). */
const OPEN_ALERTS_READ = 1000;
const SEED_PAGE = 5000;

export function presentAlert(r: CriticalAlertRow): LiveAlert {
  return {
    id: r.id,
    examId: r.exam_id,
    attemptId: r.attempt_id,
    sessionId: r.session_id,
    studentName: r.student_name,
    kind: r.detector,
    severity: r.severity,
    message: r.message,
    at: r.created_at.toISOString(),
    acknowledged: r.ack_at && r.ack_user_id ? { by: { id: r.ack_user_id, name: r.ack_user_name ?? '' }, at: r.ack_at.toISOString() } : null,
  };
}

/** Someone in the room: an exam-view stream (students) or an alerts socket (alerts, acknowledgements). */
export interface RoomMember {
  /** Every tick, to views. */
  students?(message: StudentsMessage): void;
  /** Each critical alert once (the room remembers what each socket was sent), and each acknowledgement. */
  alert?(alert: LiveAlert): void;
  acknowledged?(ack: { alertId: string; by: { id: string; name: string }; at: string }): void;
}

export interface RoomDeps {
  db: Db;
  hub: LiveHub;
  tenantId: string;
  examId: string;
  /** The server refuses host signals (VERITAS_HOST_SIGNALS=refuse): never shown. */
  serverRefusesHost: boolean;
  now: () => number;
  tickMs: number;
  refreshMs: number;
  onError(err: unknown, during: string): void;
}

interface Student {
  row: RosterRow;
  fold: StudentFold | undefined;
}

/**
 * One exam's live state in this instance, shared by all its viewers and alert sockets here: seeded
 * from the database when the first of them joins, then fed by the hub (the committing instance's
 * slimmed events, alerts, acknowledgements). The roster (attempts and their states) and the open
 * alerts are read again every `refreshMs` per exam, not per viewer, which also makes up for anything
 * the hub lost. Work is serialised, so a commit is folded once and in order; a gap (a lost message)
 * is read from the database.
 */
export class ExamRoom {
  private readonly students = new Map<string, Student>();
  private readonly bySession = new Map<string, string>();
  private readonly open = new Map<string, LiveAlert>();
  private readonly acked = new Set<string>();
  private readonly members = new Map<RoomMember, Set<string>>();
  private hostShown = false;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: Unsubscribe | undefined;
  private stopRefresh: (() => void) | undefined;
  private stopped = false;
  /** The next send of the view to this room's viewers, and when the last one went. */
  private sendTimer: NodeJS.Timeout | undefined;
  private sendAt = Infinity;
  private lastSent = -Infinity;
  readonly ready: Promise<void>;

  constructor(private readonly deps: RoomDeps) {
    this.ready = this.start();
  }

  private async start(): Promise<void> {
    // Subscribed first, seeded after: what arrives meanwhile waits in the chain behind the seed.
    this.unsubscribe = await this.deps.hub.subscribe(examChannel(this.deps.examId), (m) => this.enqueue('hub', () => this.onHub(m as ExamHubMessage)));
    // Stopped while subscribing: stop() found nothing to unsubscribe.
    if (this.stopped) return this.unsubscribe();
    await this.enqueue('seed', () => this.refresh(), true);
    if (this.stopped) return;
    // Jittered: the rooms of an exam's teachers open together as it starts, and their refreshes would stay in step.
    this.stopRefresh = jitteredEvery(this.deps.refreshMs, () => void this.enqueue('refresh', () => this.refresh()));
    this.scheduleSend(this.deps.now() + this.deps.tickMs);
  }

  private enqueue(during: string, work: () => Promise<void>, rethrow = false): Promise<void> {
    const next = this.chain.then(async () => {
      if (!this.stopped) await work();
    });
    this.chain = next.catch((err: unknown) => {
      if (!rethrow) this.deps.onError(err, during);
    });
    return rethrow ? next : this.chain;
  }

  /** Adds a member; an alerts member is sent every open alert at once (re-sent on each reconnection until acknowledged). */
  join(member: RoomMember): void {
    this.members.set(member, new Set());
    for (const alert of this.open.values()) this.deliver(member, alert);
    member.students?.(this.snapshot());
  }

  /** Removes a member; true when the room is left empty. */
  leave(member: RoomMember): boolean {
    this.members.delete(member);
    return this.members.size === 0;
  }

  stop(): void {
    this.stopped = true;
    this.stopRefresh?.();
    clearTimeout(this.sendTimer);
    this.unsubscribe?.();
  }

  /**
   * The view goes every `tickMs`, and sooner when a student's state changed, but never twice within
   * half a tick: a change is shown within half a tick, and a busy exam costs at most two sends a
   * second per viewer, each one snapshot serialised once for all of them.
   */
  private scheduleSend(at: number): void {
    if (this.stopped || (this.sendTimer !== undefined && this.sendAt <= at)) return;
    clearTimeout(this.sendTimer);
    this.sendAt = at;
    this.sendTimer = setTimeout(() => this.tick(), Math.max(0, at - this.deps.now()));
  }

  private changed(): void {
    this.scheduleSend(Math.max(this.deps.now(), this.lastSent + this.deps.tickMs / 2));
  }

  /** The students as the view shows them now. */
  snapshot(): StudentsMessage {
    const now = this.deps.now();
    const openBySession = new Map<string, number>();
    for (const a of this.open.values()) openBySession.set(a.sessionId, (openBySession.get(a.sessionId) ?? 0) + 1);
    const students: LiveStudent[] = [];
    for (const { row, fold } of this.students.values()) {
      const state = fold?.view(now, row.state === 'in_progress') ?? { presence: 'offline' as const, charsPerMinute: 0, pastes: 0, awayMs: 0 };
      const host = this.hostShown && fold?.host ? fold.host : undefined;
      students.push({
        attemptId: row.attempt_id,
        sessionId: row.session_id,
        studentId: row.student_id,
        studentName: row.student_name,
        attemptState: row.state,
        ...state,
        host: host
          ? {
              ...(host.confusion !== undefined ? { confusion: host.confusion } : {}),
              ...(host.engagement !== undefined ? { engagement: host.engagement } : {}),
              ...(host.source !== undefined ? { source: host.source } : {}),
              labels: host.labels,
            }
          : null,
        openAlerts: row.session_id ? (openBySession.get(row.session_id) ?? 0) : 0,
      });
    }
    return { at: new Date(now).toISOString(), students };
  }

  private tick(): void {
    this.sendTimer = undefined;
    this.sendAt = Infinity;
    let message: StudentsMessage | undefined;
    for (const member of this.members.keys()) {
      if (!member.students) continue;
      message ??= this.snapshot();
      member.students(message);
    }
    this.lastSent = this.deps.now();
    this.scheduleSend(this.lastSent + this.deps.tickMs);
  }

  private deliver(member: RoomMember, alert: LiveAlert): void {
    const sent = this.members.get(member);
    if (!member.alert || !sent || sent.has(alert.id)) return;
    sent.add(alert.id);
    member.alert(alert);
  }

  /** An acknowledgement, from this instance (at once) or from the hub: told to each member once, the alert no longer open. */
  acknowledged(ack: { alertId: string; by: { id: string; name: string }; at: string }): void {
    if (this.open.delete(ack.alertId)) this.changed();
    this.acked.add(ack.alertId);
    for (const [member, sent] of this.members) {
      if (!member.acknowledged || sent.has(`ack:${ack.alertId}`)) continue;
      sent.add(`ack:${ack.alertId}`);
      member.acknowledged(ack);
    }
  }

  private alertsArrived(alerts: readonly LiveAlert[]): void {
    for (const alert of alerts) {
      if (alert.acknowledged !== null || alert.examId !== this.deps.examId || this.acked.has(alert.id)) continue;
      if (!this.open.has(alert.id)) this.changed();
      this.open.set(alert.id, alert);
      for (const member of this.members.keys()) this.deliver(member, alert);
    }
  }

  private async onHub(m: ExamHubMessage): Promise<void> {
    switch (m.k) {
      case 'batch':
        return this.onBatch(m);
      case 'alerts':
        return this.alertsArrived(m.alerts);
      case 'ack':
        return this.acknowledged({ alertId: m.alertId, by: m.by, at: m.at });
    }
  }

  private async onBatch(m: Extract<ExamHubMessage, { k: 'batch' }>): Promise<void> {
    if (!this.bySession.has(m.sessionId)) await this.refresh();
    const attemptId = this.bySession.get(m.sessionId);
    const student = attemptId ? this.students.get(attemptId) : undefined;
    if (!student) return;
    student.fold ??= new StudentFold(this.deps.now());
    const fold = student.fold;
    // A message the hub lost (or one sent before this room seeded) leaves a gap: read it from the database.
    if (m.firstSeq > fold.lastSeq + 1) await this.catchUp(m.sessionId, fold, m.firstSeq - 1, () => this.deps.now());
    fold.apply(m.events, m.lastSeq, this.deps.now());
    this.changed();
  }

  /** Folds the stored events after the fold's last seq, up to `upTo` (all that are stored when undefined); `heardAt` from the last one's time. */
  private async catchUp(sessionId: string, fold: StudentFold, upTo: number | undefined, heardAt: (lastT: number) => number): Promise<void> {
    const scope = tenantScope(this.deps.tenantId);
    const slims: SlimEvent[] = [];
    let last = fold.lastSeq;
    read: for await (const page of eventPages(this.deps.db, scope, sessionId, fold.lastSeq, SEED_PAGE, SLIM_TYPES)) {
      for (const e of page) {
        if (upTo !== undefined && e.seq > upTo) break read;
        const s = slim(e);
        if (s) slims.push(s);
        last = e.seq;
      }
    }
    const lastT = slims.length > 0 ? slims[slims.length - 1]!.t : 0;
    fold.apply(slims, upTo ?? last, heardAt(lastT));
  }

  /** Reads the roster (new attempts, states), the host-signal choice and the open alerts again. */
  private async refresh(): Promise<void> {
    const { db, tenantId, examId } = this.deps;
    const [roster, host, open] = [
      await examRoster(db, tenantId, examId),
      await examHostSignals(db, tenantId, examId),
      await criticalAlerts(db, tenantId, examId, { openOnly: true, limit: OPEN_ALERTS_READ }),
    ];
    this.hostShown = !this.deps.serverRefusesHost && host.examAccepts && host.tenantAccepts;
    for (const row of roster) {
      const known = this.students.get(row.attempt_id);
      if (known) {
        known.row = row;
      } else {
        this.students.set(row.attempt_id, { row, fold: undefined });
      }
      const student = this.students.get(row.attempt_id)!;
      if (row.session_id !== null && !student.fold) {
        this.bySession.set(row.session_id, row.attempt_id);
        const fold = new StudentFold(0);
        const started = row.started_at?.getTime() ?? this.deps.now();
        // Seeded: the last thing heard is placed at the student's start plus their clock, never later than now.
        await this.catchUp(row.session_id, fold, undefined, (lastT) => Math.min(this.deps.now(), started + lastT));
        student.fold = fold;
      }
    }
    const openIds = new Set(open.map((r) => r.id));
    for (const id of [...this.open.keys()]) if (!openIds.has(id)) this.open.delete(id);
    this.alertsArrived(open.map(presentAlert));
  }
}

/** A hub message for the exam channel (JSON values only). */
export const asHubMessage = (m: ExamHubMessage): HubMessage => m as unknown as HubMessage;
