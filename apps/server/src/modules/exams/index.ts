/** Exams and attempts (issue 12): exams of a tenant, the attempt state machine, scores and partners' analyses. */
export { examsRoutes } from './exams.routes';
export { attemptsRoutes } from './attempts.routes';
export { createExamsService, type ExamsService, type ExamDetail } from './exams.service';
export { createAttemptsService, type AttemptsService, type AttemptDetail, type AttemptsDeps } from './attempts.service';
export { TRANSITIONS, ATTEMPT_STATES, ATTEMPT_MOVES, MOVERS, transition, type AttemptState, type AttemptMove, type Mover } from './attempt-machine';
export { findExam, examClassIds, setExamClasses, type ExamRow } from './exams.repository';
