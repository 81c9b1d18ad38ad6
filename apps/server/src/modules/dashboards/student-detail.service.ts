import type { Momentum } from '@veritas/analysis';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { staleReads, type Database } from '../../platform/db/database';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import { studentAttempts } from './dashboards.repository';
import { LIMITS, momentumFrom } from './dashboards.service';
import {
  findViewableStudent,
  studentClasses,
  viewedAttempts,
  type StudentClassRow,
  type StudentRow,
  type ViewedAttemptRow,
  type Viewer,
} from './student-detail.repository';

/** A student's detail for a teacher: their profile, classes, attempts at the caller's exams, momentum and dropout label. */
export interface StudentDetailData {
  student: StudentRow;
  classes: StudentClassRow[];
  attempts: ViewedAttemptRow[];
  momentum: Momentum;
}

export interface StudentDetailService {
  /** Audited as `student.detail.read`; a student the caller may not see answers as an unknown id (404). */
  detail(actor: UserActor, studentId: string, context: RequestContext): Promise<StudentDetailData>;
}

const MAX_CLASSES = 100;

const viewerOf = (actor: UserActor): Viewer => {
  if (actor.role === 'admin') return { kind: 'admin' };
  if (actor.role === 'teacher' || actor.role === 'observer') return { kind: actor.role, userId: actor.userId };
  // The policy lets no other role here; should one come, it sees no student.
  throw new AppError('not-found', 'no such student');
};

export function createStudentDetailService({ database, audit }: { database: Database; audit: AuditService }): StudentDetailService {
  // Replica when configured (ADR 0031): a teacher reads about a student's work, none of it their own
  // write a moment ago; it tolerates the replica's bounded lag. The audit entry goes to the primary.
  const db = staleReads(database);
  const guard = <T>(p: Promise<T>) => p.catch(rethrowUnavailable);
  return {
    async detail(actor, studentId, context) {
      const viewer = viewerOf(actor);
      const student = await guard(findViewableStudent(db, actor.tenantId, studentId, viewer));
      if (!student) throw new AppError('not-found', `no student ${studentId}`);
      const [classes, attempts, history] = await guard(
        Promise.all([
          studentClasses(db, actor.tenantId, studentId, MAX_CLASSES),
          viewedAttempts(db, actor.tenantId, studentId, viewer, LIMITS.studentAttempts),
          // The momentum is the student's own (all their attempts, as their dashboard shows it), not only those at the caller's exams.
          studentAttempts(db, actor.tenantId, studentId, LIMITS.studentAttempts),
        ]),
      );
      await audit.record({
        tenantId: actor.tenantId,
        actor,
        action: 'student.detail.read',
        resource: { type: 'user', id: studentId },
        context,
        detail: { attempts: attempts.length },
      });
      return { student, classes, attempts, momentum: momentumFrom(history) };
    },
  };
}
