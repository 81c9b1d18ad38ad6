import { sql, type Insertable } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { ExamLiveTicketsTable } from './exam-live.tables';
import './exam-live.tables';

/**
 * Which alerts are critical (pushed to the exam's teachers, acknowledged): a live detector's high
 * severity, and whatever a proctoring `violation` event raised (the detectors below read them).
 */
export const VIOLATION_DETECTORS = ['several-faces', 'no-face', 'prolonged-absence'] as const;

/** The same rule as `criticalAlerts`' condition, for an alert told as stored (alert.raised). */
export const isCriticalAlert = (a: { severity: string; detector: string }): boolean =>
  a.severity === 'high' || (VIOLATION_DETECTORS as readonly string[]).includes(a.detector);

/** Whether a person of the tenant watches the exam: an admin any; a teacher one they own or co-teach; an observer one of a teacher they are attached to. */
export async function watchesExam(db: Db, tenantId: string, examId: string, user: { id: string; role: string }): Promise<boolean> {
  const exam = db.selectFrom('exams').select('id').where('tenant_id', '=', tenantId).where('id', '=', examId);
  const teachers = (id: string) =>
    db
      .selectFrom('exams as e')
      .select('e.owner_id as teacher_id')
      .where('e.tenant_id', '=', tenantId)
      .where('e.id', '=', id)
      .union(db.selectFrom('exam_co_teachers').select('user_id as teacher_id').where('tenant_id', '=', tenantId).where('exam_id', '=', id));
  switch (user.role) {
    case 'admin':
      return (await exam.executeTakeFirst()) !== undefined;
    case 'teacher':
      return (await teachers(examId).execute()).some((r) => r.teacher_id === user.id);
    case 'observer': {
      const ids = (await teachers(examId).execute()).map((r) => r.teacher_id);
      if (ids.length === 0) return false;
      const link = await db
        .selectFrom('observer_links')
        .select('teacher_id')
        .where('tenant_id', '=', tenantId)
        .where('observer_id', '=', user.id)
        .where('teacher_id', 'in', ids)
        .executeTakeFirst();
      return link !== undefined;
    }
    default:
      return false;
  }
}

export interface RosterRow {
  attempt_id: string;
  session_id: string | null;
  student_id: string;
  student_name: string;
  state: string;
  started_at: Date | null;
}

/** The exam's attempts with their students' names, oldest first. */
export async function examRoster(db: Db, tenantId: string, examId: string): Promise<RosterRow[]> {
  return db
    .selectFrom('attempts as a')
    .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'a.student_id').onRef('u.tenant_id', '=', 'a.tenant_id'))
    .select(['a.id as attempt_id', 'a.session_id', 'a.student_id', 'u.display_name as student_name', 'a.state', 'a.started_at'])
    .where('a.tenant_id', '=', tenantId)
    .where('a.exam_id', '=', examId)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .execute();
}

/** The attempt a session is the writing of (its exam, its student's name), as the live fan-out names it. */
export interface AttemptOfSession {
  examId: string;
  attemptId: string;
  studentName: string;
}

/**
 * The attempts of several sessions of one tenant, by session id, in one query: an exam's first
 * minute commits every student's first batch within seconds, and a query per session was thousands
 * in front of ingest's (bench/README.md, live, "The first interval").
 */
export async function attemptsOfSessions(db: Db, tenantId: string, sessionIds: readonly string[]): Promise<Map<string, AttemptOfSession>> {
  const rows = await db
    .selectFrom('attempts as a')
    .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'a.student_id').onRef('u.tenant_id', '=', 'a.tenant_id'))
    .select(['a.session_id', 'a.exam_id', 'a.id', 'u.display_name'])
    .where('a.tenant_id', '=', tenantId)
    .where('a.session_id', '=', sql<string>`any(${[...sessionIds]}::text[])`)
    .execute();
  return new Map(rows.flatMap((r) => (r.session_id === null ? [] : [[r.session_id, { examId: r.exam_id, attemptId: r.id, studentName: r.display_name }]])));
}

/** Whether the exam's sessions may show host-page signals: its analysis settings and the tenant's choice. */
export async function examHostSignals(db: Db, tenantId: string, examId: string): Promise<{ examAccepts: boolean; tenantAccepts: boolean }> {
  const exam = await db.selectFrom('exams').select('settings').where('tenant_id', '=', tenantId).where('id', '=', examId).executeTakeFirst();
  const tenant = await db.selectFrom('tenants').select('host_signals').where('id', '=', tenantId).executeTakeFirst();
  const analysis = (exam?.settings as { analysis?: { acceptHostSignals?: boolean } } | undefined)?.analysis;
  return { examAccepts: analysis?.acceptHostSignals !== false, tenantAccepts: tenant?.host_signals !== 'refuse' };
}

export interface CriticalAlertRow {
  id: string;
  exam_id: string;
  attempt_id: string;
  session_id: string;
  student_name: string;
  detector: string;
  severity: string;
  message: string;
  created_at: Date;
  ack_at: Date | null;
  ack_user_id: string | null;
  ack_user_name: string | null;
}

/** Critical alerts of the exam's sessions (optionally one session's, optionally unacknowledged only), oldest first. */
export async function criticalAlerts(
  db: Db,
  tenantId: string,
  examId: string,
  options: { sessionId?: string; openOnly?: boolean; alertId?: string; limit: number },
): Promise<CriticalAlertRow[]> {
  let q = db
    .selectFrom('alerts as al')
    .innerJoin('attempts as a', (j) => j.onRef('a.session_id', '=', 'al.session_id').onRef('a.tenant_id', '=', 'al.tenant_id'))
    .innerJoin('users as s', (j) => j.onRef('s.id', '=', 'a.student_id').onRef('s.tenant_id', '=', 'a.tenant_id'))
    .leftJoin('alert_acknowledgements as k', 'k.alert_id', 'al.id')
    .leftJoin('users as t', 't.id', 'k.user_id')
    .select([
      'al.id',
      'a.exam_id',
      'a.id as attempt_id',
      'al.session_id',
      's.display_name as student_name',
      'al.detector',
      'al.severity',
      'al.message',
      'al.created_at',
      'k.acknowledged_at as ack_at',
      'k.user_id as ack_user_id',
      't.display_name as ack_user_name',
    ])
    .where('al.tenant_id', '=', tenantId)
    .where('a.exam_id', '=', examId)
    .where((eb) => eb.or([eb('al.severity', '=', 'high'), eb('al.detector', 'in', [...VIOLATION_DETECTORS])]));
  if (options.sessionId !== undefined) q = q.where('al.session_id', '=', options.sessionId);
  if (options.alertId !== undefined) q = q.where('al.id', '=', options.alertId);
  if (options.openOnly) q = q.where('k.alert_id', 'is', null);
  return q.orderBy('al.created_at').orderBy('al.id').limit(options.limit).execute();
}

/** Stores the first acknowledgement of an alert; a second one changes nothing. True when this one was stored. */
export async function insertAcknowledgement(db: Db, row: { alertId: string; tenantId: string; examId: string; userId: string; at: Date }): Promise<boolean> {
  const r = await db
    .insertInto('alert_acknowledgements')
    .values({ alert_id: row.alertId, tenant_id: row.tenantId, exam_id: row.examId, user_id: row.userId, acknowledged_at: row.at })
    .onConflict((oc) => oc.column('alert_id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function insertExamTicket(db: Db, row: Insertable<ExamLiveTicketsTable>): Promise<void> {
  await db.insertInto('exam_live_tickets').values(row).execute();
}

/** The ticket with this hash, for this exam and purpose, unexpired at `now`. */
export async function findExamTicket(db: Db, examId: string, purpose: 'exam-live' | 'alerts', hash: string, now: Date) {
  return db
    .selectFrom('exam_live_tickets')
    .selectAll()
    .where('token_hash', '=', hash)
    .where('exam_id', '=', examId)
    .where('purpose', '=', purpose)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function deleteExpiredExamTickets(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('exam_live_tickets').where('expires_at', '<', before).execute();
}
